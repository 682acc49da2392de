// What every part of the phone page shares: the control API, templates, time formats.

export async function api(path, options = {}) {
  const response = await fetch(`/emulator${path}`, {
    headers: { "Content-Type": "application/json" },
    ...options,
  });
  if (!response.ok) {
    let detail = "";
    try {
      detail = (await response.json()).error || "";
    } catch {
      // not JSON: the status says enough
    }
    const error = new Error(`${options.method || "GET"} ${path}: HTTP ${response.status}`);
    error.detail = detail;
    throw error;
  }
  return response.json();
}

export function clone(id) {
  return document.getElementById(id).content.firstElementChild.cloneNode(true);
}

export function formatTime(unixSeconds) {
  return new Date(unixSeconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function formatLeft(seconds) {
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
}

export function showConnection(problem) {
  const banner = document.getElementById("connection");
  banner.hidden = !problem;
  banner.textContent = problem ? `Emulator unreachable or failing: ${problem}` : "";
}
