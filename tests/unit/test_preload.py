"""login.html fetches account.html's modules early: the list must be that page's whole graph."""

from tests.site_modules import graph, preloaded


def test_login_preloads_every_module_of_the_account_page_it_has_not_loaded():
    assert preloaded() == graph("account.js") - graph("login.js")
