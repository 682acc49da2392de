"""The virtual phone page: static files, a strict CSP, no inline script."""

import re

import pytest


@pytest.fixture
def page(client):
    response = client.get("/phone")
    assert response.status_code == 200
    response.get_data()
    yield response
    response.close()


def fetch(client, path):
    """Read a static file and close it (warnings are errors here)."""
    with client.get(path) as response:
        response.get_data()
        return response


def test_the_page_is_html_under_a_strict_csp(page):
    assert page.mimetype == "text/html"
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "default-src 'none'" in csp
    assert page.headers["Cache-Control"] == "no-store"


def test_the_page_has_one_module_script_and_nothing_inline(page):
    html = page.get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts == ['<script type="module" src="/phone/assets/phone.js">']
    assert re.search(r"<script[^>]*>\s*[^<\s]", html) is None
    assert re.search(r"\son[a-z]+\s*=", html) is None
    assert "style=" not in html


def test_the_page_has_the_phone_controls(page):
    html = page.get_data(as_text=True)
    assert '<button type="button" class="approve">Approve</button>' in html
    assert '<button type="button" class="deny">Deny</button>' in html
    assert 'role="switch"' in html and "App installed" in html


def test_the_authenticator_has_labelled_controls(page):
    html = page.get_data(as_text=True)
    assert '<label for="authenticator-key">Key or otpauth URI</label>' in html
    assert '<input id="authenticator-key" name="key"' in html
    assert '<button type="submit">Add account</button>' in html
    assert 'role="alert"' in html


def test_the_page_has_a_mailbox_template(page):
    html = page.get_data(as_text=True)
    assert '<template id="mailbox-template">' in html and 'class="email-links"' in html
    assert '<div id="mailboxes" class="mailboxes"></div>' in html


MODULES = ["phone.js", "common.js", "inbox.js", "numbers.js", "authenticator.js", "mailboxes.js"]


@pytest.mark.parametrize(
    "path, mimetype",
    [(f"/phone/assets/{name}", "text/javascript") for name in MODULES]
    + [("/phone/assets/phone.css", "text/css")],
)
def test_assets_are_served_with_their_types(client, path, mimetype):
    response = fetch(client, path)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("name", MODULES)
def test_the_scripts_write_data_as_text_only(client, name):
    script = fetch(client, f"/phone/assets/{name}").get_data(as_text=True)
    assert "innerHTML" not in script
    assert "insertAdjacentHTML" not in script
    assert "textContent" in script


def test_the_root_leads_to_the_phone(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/phone")
