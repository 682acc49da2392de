// Opening the account page once a login's second step is done, in place: the page fetched
// account.html while the person read the phone, and now shows its body here, at the
// address account.html, and runs its module. The account page's modules are in this
// page's head, so after the approval nothing is fetched and no page loads. Without the
// fetched page (a page that did not prepare it, or a fetch that failed) it navigates.
// The account page takes the login page's place in the tab's history, as a redirect
// after a login would: one entry per document, so Back and a reload behave as usual
// (entries added with pushState would share one document, even after a reload).

let prepared = null;

/** Fetch account.html now, for openAccountPage to show later; never rejects. */
export function prepareAccountPage() {
  prepared ??= fetch("account.html", { credentials: "same-origin" })
    .then((response) => (response.ok ? response.text() : null))
    .catch(() => null);
}

/** Show the account page: in place when it was prepared, else by navigating to it. */
export async function openAccountPage() {
  const html = prepared && (await prepared);
  const page = html && new DOMParser().parseFromString(html, "text/html");
  const main = page?.querySelector("main");
  if (!main?.querySelector("#account-email") || !document.querySelector("main")) {
    return location.assign("account.html");
  }
  history.replaceState(null, "", "account.html");
  document.title = page.title;
  // The site's header is every page's; the main part and the footer are the page's own.
  document.querySelector("main").replaceWith(document.adoptNode(main));
  const footer = page.querySelector("footer");
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
