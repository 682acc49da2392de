"""Module scripts load without a waterfall: each page's head names its whole module graph
(and config.js, which ui.js imports on start) for the browser to fetch at once, and
login.html fetches account.html's modules while the person reads the phone."""

import pytest

from tests.site_modules import graph, pages, preloaded


def test_login_preloads_every_module_of_the_account_page_it_has_not_loaded():
    assert preloaded() == graph("account.js") - graph("login.js")


@pytest.mark.parametrize("page", sorted(pages()))
def test_each_page_preloads_its_whole_module_graph_and_config(page):
    entry, listed = pages()[page]
    assert entry, f"{page} has no module script"
    assert listed == {"config.js"} | {f"js/{name}" for name in graph(entry) - {entry}}
