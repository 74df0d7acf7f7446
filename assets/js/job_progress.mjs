// Follows a background job from its page: polls the JSON status at the region's
// data-status-url every POLL_MS and hands each answer to `show`, until `show` says the job
// has finished (returns true). A failed request is tried again; the page's own "Refresh the
// page" link stays for the person to use meanwhile.
const POLL_MS = 1500;

export function follow(region, show) {
  async function poll() {
    try {
      const response = await fetch(region.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok && show(await response.json())) {
        return;
      }
    } catch {
      // A dropped connection: try again.
    }
    setTimeout(poll, POLL_MS);
  }
  setTimeout(poll, POLL_MS);
}
