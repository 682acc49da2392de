"""How every headless Chromium here is launched: Debian's binary, never a downloaded one.

The flags keep Chromium from reaching for Google's hosts (this machine has no network
but loopback) and let it run as root in a container.
"""

EXECUTABLE = "/usr/bin/chromium"
ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def launch(playwright):
    """A headless Chromium from ``playwright`` (a started sync_playwright())."""
    return playwright.chromium.launch(executable_path=EXECUTABLE, args=list(ARGS), headless=True)
