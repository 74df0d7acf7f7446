// Builds static/ from the pinned npm packages and the portal's own sources in assets/.
// GOV.UK Frontend is compiled with council branding: Arial instead of GDS Transport (no font
// files are copied) and no crown images; only the portal's own icon is published.
import { compile } from "sass";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "static");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

for (const folder of ["css", "js", "images"]) {
  mkdirSync(join(out, folder), { recursive: true });
}

const css = compile(join(root, "assets", "scss", "portal.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "css", "portal.css"), css.css);

copyFileSync(join(govuk, "govuk-frontend.min.js"), join(out, "js", "govuk-frontend.min.js"));
copyFileSync(join(root, "assets", "js", "portal.mjs"), join(out, "js", "portal.mjs"));
for (const module of ["job_progress.mjs", "letter_batch.mjs", "export_job.mjs"]) {
  copyFileSync(join(root, "assets", "js", module), join(out, "js", module));
}
copyFileSync(join(root, "assets", "images", "favicon.svg"), join(out, "images", "favicon.svg"));
console.log("Built static/ (css/portal.css, js/govuk-frontend.min.js, js/portal.mjs, js/letter_batch.mjs, js/job_progress.mjs, js/export_job.mjs, images/favicon.svg)");
