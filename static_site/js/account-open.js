// Opening the account page once a login's second step is done, in place: the page fetched
// account.html while the person read the phone, and now shows its body here, at the
// address account.html, and runs its module. The account page's modules are in this
// page's head, so after the approval nothing is fetched and no page loads. Without the
// fetched page (a page that did not prepare it, a fetch that failed or is slow, or this
// page older than its scripts may be kept) it navigates.
// The account page takes the login page's place in the tab's history, as a redirect
// after a login would: one entry per document, so Back and a reload behave as usual
// (entries added with pushState would share one document, even after a reload).

// How long a page load may reuse the site's scripts: their max-age (ASSET_CACHE in
// chalicelib/headers.py). An older login page navigates, so the account page never runs
// scripts (or a config.js) older than a page load of it would after a deploy.
const SCRIPTS_KEPT_MS = 300_000;
// How long the approval waits for account.html still on its way before navigating.
const PREPARED_WAIT_MS = 3_000;

let prepared = null;

/** Fetch account.html now, for openAccountPage to show later; never rejects. */
export function prepareAccountPage() {
  prepared ??= fetch("account.html", { credentials: "same-origin" })
    .then((response) => (isOurPage(response) ? response.text() : null))
    .catch(() => null);
}

function isOurPage(response) {
  const type = response.headers.get("Content-Type") ?? "";
  return response.ok && !response.redirected && type.startsWith("text/html");
}

/** Show the account page: in place when it was prepared, else by navigating to it. */
export async function openAccountPage() {
  const main = await preparedMain();
  if (!main) return location.replace("account.html");
  history.replaceState(null, "", "account.html");
  document.title = main.ownerDocument.title;
  // The site's header is every page's; the main part and the footer are the page's own.
  const footer = main.ownerDocument.querySelector("footer");
  document.querySelector("main").replaceWith(document.adoptNode(main));
  if (footer) document.querySelector("footer")?.replaceWith(document.adoptNode(footer));
  // As after a page load: at the top, and a screen reader told where it is now (the focus
  // was on a part of the login page that is gone).
  scrollTo(0, 0);
  main.querySelector("h1[tabindex]")?.focus();
  try {
    await import("./account.js");
  } catch {
    location.reload(); // the address is account.html already: it loads as usual
  }
}

/** The prepared page's <main>, if it is the account page and this page may show it. */
async function preparedMain() {
  if (!prepared || performance.now() > SCRIPTS_KEPT_MS || !document.querySelector("main")) {
    return null;
  }
  const late = new Promise((resolve) => setTimeout(resolve, PREPARED_WAIT_MS, null));
  const html = await Promise.race([prepared, late]);
  const main = html && new DOMParser().parseFromString(html, "text/html").querySelector("main");
  return main?.querySelector("#account-email") ? main : null;
}
