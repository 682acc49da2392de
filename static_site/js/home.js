import { sessionToken } from "./session.js";
import { startPage } from "./ui.js";

startPage(() => {
  const signedIn = sessionToken() !== null;
  document.getElementById("guest-actions").hidden = signedIn;
  document.getElementById("member-actions").hidden = !signedIn;
});
