"""Module scripts load without a waterfall: each page's head names its whole module graph
(and config.js, which ui.js imports on start) for the browser to fetch at once. The pages
that end in a login open the account page in place, so theirs holds the account page's."""

import re

import pytest

from chalicelib.headers import ASSET_CACHE
from tests.site_modules import JS, graph, pages


@pytest.mark.parametrize("entry", ["login.js", "signup.js"])
def test_a_page_that_ends_in_a_login_holds_the_account_pages_modules(entry):
    assert graph("account.js") <= graph(entry)


def test_the_account_page_opens_in_place_only_while_the_scripts_are_as_young_as_a_load():
    kept = re.search(r"const SCRIPTS_KEPT_MS = ([\d_]+);", (JS / "account-open.js").read_text())
    max_age = re.search(r"max-age=(\d+)", ASSET_CACHE)
    assert int(kept.group(1).replace("_", "")) == int(max_age.group(1)) * 1000


@pytest.mark.parametrize("page", sorted(pages()))
def test_each_page_preloads_its_whole_module_graph_and_config(page):
    entry, listed = pages()[page]
    assert entry, f"{page} has no module script"
    assert listed == {"config.js"} | {f"js/{name}" for name in graph(entry) - {entry}}
