// The links we email carry their token after "#": a browser never sends the fragment to a
// server, so it reaches no log and no Referer. A page reads it once, keeps it in memory
// only, and takes it out of the address bar (and the history) straight away.

const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The first of `names` the fragment holds ("token", "release"), as {name, token}; null
 * when the link has none, or not one of ours. The fragment is gone either way.
 */
export function takeLinkToken(...names) {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  for (const name of names) {
    const token = fragment.get(name);
    if (token !== null) return TOKEN.test(token) ? { name, token } : null;
  }
  return null;
}
