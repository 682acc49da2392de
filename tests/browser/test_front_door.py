"""The site's origin as a browser meets it: its security headers, and no framing (F6)."""

import pytest
from playwright.sync_api import expect

from chalicelib.headers import site_headers

PAGES = [
    "index.html",
    "signup.html",
    "login.html",
    "account.html",
    "forgot.html",
    "reset.html",
    "email.html",
]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_arrives_with_the_security_headers(page, offline_site, name):
    response = page.goto(f"{offline_site}/{name}")
    headers = response.all_headers()
    for header, value in site_headers().items():
        assert headers.get(header.lower()) == value, header


def _attacker(page, offline_site):
    """A page on another origin (the same server by address, not by name) that frames login."""
    attacker = offline_site.replace("localhost", "127.0.0.1") + "/attacker.html"
    html = f'<!doctype html><title>win a prize</title><iframe src="{offline_site}/login.html">'
    page.route(attacker, lambda route: route.fulfill(body=html, content_type="text/html"))
    # A page Playwright fulfils counts as public; let it reach loopback, so that only the
    # site's own headers can stop the frame.
    page.context.grant_permissions(["local-network-access"])
    return attacker


def _framed(page):
    (frame,) = page.main_frame.child_frames
    frame.wait_for_load_state()
    return frame


@pytest.mark.allow_console(
    r"violates the following Content Security Policy directive: \"frame-ancestors 'none'\""
)
def test_another_origin_cannot_frame_the_login_page(page, offline_site):
    page.goto(_attacker(page, offline_site))
    frame = _framed(page)
    assert frame.url.startswith("chrome-error://")
    assert frame.locator("#login-form").count() == 0


def test_the_headers_are_what_stops_the_framing(page, offline_site):
    """The same attack, with the security headers taken off the answer: the frame loads."""

    def without_headers(route):
        response = route.fetch()
        kept = {k: v for k, v in response.headers.items() if k.title() not in site_headers()}
        route.fulfill(response=response, headers=kept)

    page.route(f"{offline_site}/login.html", without_headers)
    page.goto(_attacker(page, offline_site))
    expect(_framed(page).locator("#login-form")).to_have_count(1)
    # Framed, the page is a third party: Chromium denies it sessionStorage, and it says so.
    denied = [p for p in page.watch.problems if "'sessionStorage'" in p and "denied" in p]
    assert denied
    page.watch.problems[:] = [p for p in page.watch.problems if p not in denied]
