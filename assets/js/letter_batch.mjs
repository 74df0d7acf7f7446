// Keeps a letter batch's page up to date while the letters are produced: polls the batch's
// status and writes "n of N letters produced" into the page's live region, so screen readers
// hear the progress. Without JavaScript the page's "Refresh the page" link does the same.
import { follow } from "./job_progress.mjs";

const region = document.getElementById("batch");

function show(batch) {
  document.getElementById("batch-progress").textContent =
    `${batch.done} of ${batch.total} letters produced`;
  document.getElementById("batch-status").textContent = `Status: ${batch.label}`;
  if (batch.status === "failed") {
    document.getElementById("batch-error-text").textContent = batch.error;
    document.getElementById("batch-error").hidden = false;
  }
  if (batch.status === "done") {
    document.getElementById("batch-zip").hidden = false;
  }
  if (batch.status === "done" || batch.status === "failed") {
    document.getElementById("batch-refresh")?.remove();
    document.getElementById("batch-again").hidden = false;
    return true;
  }
  return false;
}

if (region) {
  follow(region, show);
}
