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


@pytest.mark.parametrize(
    "path, mimetype",
    [("/phone/assets/phone.js", "text/javascript"), ("/phone/assets/phone.css", "text/css")],
)
def test_assets_are_served_with_their_types(client, path, mimetype):
    response = fetch(client, path)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_script_writes_data_as_text_only(client):
    script = fetch(client, "/phone/assets/phone.js").get_data(as_text=True)
    assert "innerHTML" not in script
    assert "insertAdjacentHTML" not in script
    assert "textContent" in script


def test_the_root_leads_to_the_phone(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/phone")
