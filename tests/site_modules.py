"""The site's ES modules as files: what each page imports and what its head preloads."""

import pathlib
import re

SITE = pathlib.Path(__file__).resolve().parents[1] / "static_site"
JS = SITE / "js"
ENTRY = re.compile(r'<script type="module" src="js/([\w.-]+\.js)"></script>')
MODULEPRELOAD = re.compile(r'<link rel="modulepreload" href="([\w./-]+)">')
IMPORT = re.compile(r"""(?:from\s+|import\()\s*"\./([\w.-]+\.js)\"""")


def graph(entry):
    """Every module ``entry`` imports, itself included, statically or on first use."""
    seen, todo = set(), [entry]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += IMPORT.findall((JS / name).read_text())
    return seen


def pages():
    """``{page name: (its entry module, the hrefs its head modulepreloads)}``."""
    found = {}
    for page in sorted(SITE.glob("*.html")):
        html = page.read_text()
        entry = ENTRY.search(html)
        found[page.name] = (entry and entry.group(1), set(MODULEPRELOAD.findall(html)))
    return found
