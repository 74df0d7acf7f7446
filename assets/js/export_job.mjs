// Keeps an export's page up to date while its workbook is made: writes "n of N applications
// written" into the page's live region, so screen readers hear the progress, then shows the
// download link. Without JavaScript the page's "Refresh the page" link does the same.
import { follow } from "./job_progress.mjs";

function show(job) {
  document.getElementById("export-progress").textContent =
    `${job.done} of ${job.total} applications written`;
  document.getElementById("export-status").textContent = `Status: ${job.label}`;
  if (job.status === "failed") {
    document.getElementById("export-error-text").textContent = job.error;
    document.getElementById("export-error").hidden = false;
  }
  if (job.download_url) {
    document.getElementById("export-download").hidden = false;
  }
  if (job.status === "done" || job.status === "failed") {
    document.getElementById("export-refresh")?.remove();
    return true;
  }
  return false;
}

const region = document.getElementById("export");
if (region) {
  follow(region, show);
}
