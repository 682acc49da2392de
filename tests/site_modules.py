"""The site's ES modules as files: what each page imports, what login.js preloads."""

import pathlib
import re

JS = pathlib.Path(__file__).resolve().parents[1] / "static_site" / "js"
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


def preloaded():
    """The modules login.js fetches early for the account page (its ACCOUNT_MODULES)."""
    source = (JS / "login.js").read_text()
    listed = re.search(r"const ACCOUNT_MODULES = \[(.*?)\];", source, re.S).group(1)
    return set(re.findall(r'"([\w.-]+\.js)"', listed))
