// Starts GOV.UK Frontend components. Loaded as a module so that it runs only in browsers that
// GOV.UK Frontend supports; kept out of the page so that the CSP can forbid inline script.
import { initAll } from "./govuk-frontend.min.js";

initAll();
