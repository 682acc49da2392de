"""login.html fetches account.html's modules early: the list must be that page's whole graph."""

import pathlib
import re

JS = pathlib.Path(__file__).resolve().parents[2] / "static_site" / "js"
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
    source = (JS / "login.js").read_text()
    listed = re.search(r"const ACCOUNT_MODULES = \[(.*?)\];", source, re.S).group(1)
    return set(re.findall(r'"([\w.-]+\.js)"', listed))


def test_login_preloads_every_module_of_the_account_page_it_has_not_loaded():
    assert preloaded() == graph("account.js") - graph("login.js")
