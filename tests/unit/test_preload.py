"""Module scripts load without a waterfall: each page's head names its whole module graph
(and config.js, which ui.js imports on start) for the browser to fetch at once. The pages
that end in a login open the account page in place, so theirs holds the account page's."""

import pytest

from tests.site_modules import graph, pages


@pytest.mark.parametrize("entry", ["login.js", "signup.js"])
def test_a_page_that_ends_in_a_login_holds_the_account_pages_modules(entry):
    assert graph("account.js") <= graph(entry)


@pytest.mark.parametrize("page", sorted(pages()))
def test_each_page_preloads_its_whole_module_graph_and_config(page):
    entry, listed = pages()[page]
    assert entry, f"{page} has no module script"
    assert listed == {"config.js"} | {f"js/{name}" for name in graph(entry) - {entry}}
