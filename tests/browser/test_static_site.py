"""The site's files keep the rules a strict CSP and the style guide set (no browser needed)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

SITE = Path(__file__).resolve().parents[2] / "static_site"
HTML_FILES = sorted(SITE.glob("*.html"))
JS_FILES = sorted(SITE.glob("js/*.js"))
AUTOCOMPLETE = {
    "name": "name",
    "email": "email",
    "country_code": "tel-country-code",
    "phone": "tel-national",
}


class Page(HTMLParser):
    """The parts of an HTML file these checks look at."""

    def __init__(self, text):
        super().__init__()
        self.elements = []
        self.inline_scripts = 0
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def all(self, tag):
        return [attrs for name, attrs in self.elements if name == tag]


@pytest.fixture(params=HTML_FILES, ids=lambda path: path.name)
def page(request):
    return Page(request.param.read_text(encoding="utf-8"))


def test_the_site_has_its_pages():
    names = {path.name for path in HTML_FILES}
    assert {"index.html", "signup.html", "login.html", "account.html"} <= names
    assert {"forgot.html", "reset.html", "email.html"} <= names
    assert (SITE / "favicon.svg").is_file()
    assert (
        not (SITE / "config.js").exists() or "config.js" in (SITE.parent / ".gitignore").read_text()
    )


def test_no_page_carries_a_csp_of_its_own(page):
    """The CSP comes as a header (chalicelib/headers.py): a <meta> one cannot forbid framing,
    and a second copy would drift from the first."""
    assert [m for m in page.all("meta") if m.get("http-equiv")] == []


def test_one_module_script_and_nothing_inline(page):
    scripts = page.all("script")
    assert len(scripts) == 1
    assert scripts[0].get("type") == "module" and scripts[0].get("src", "").startswith("js/")
    assert page.inline_scripts == 0
    for tag, attrs in page.elements:
        assert "style" not in attrs, f"<{tag} style=...>"
        assert not [name for name in attrs if name.startswith("on")], f"<{tag} on...=>"
    assert page.all("style") == []


def test_every_input_has_a_label_and_autocomplete(page):
    label_for = {label.get("for") for label in page.all("label")}
    for attrs in page.all("input") + page.all("select"):
        assert attrs.get("id") in label_for, f"no <label for> for {attrs}"
        # Without a name, a form sent before the script is ready can't put it in a URL.
        assert "name" not in attrs, f"{attrs['id']} has a name"
        expected = AUTOCOMPLETE.get(attrs["id"])
        if expected:
            assert attrs.get("autocomplete") == expected
        if attrs.get("type") == "password":
            assert attrs.get("autocomplete") in ("current-password", "new-password")


def test_forms_only_submit_once_the_script_is_ready(page):
    for form in page.all("form"):
        assert form.get("method") == "post"
    for button in page.all("button"):
        if button.get("type") == "submit":
            assert "disabled" in button and "data-ready" in button


@pytest.mark.parametrize("path", JS_FILES, ids=lambda path: path.name)
def test_scripts_never_write_html_or_keep_tokens_where_they_leak(path):
    source = path.read_text(encoding="utf-8")
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert banned not in source
    if path.name == "session.js":  # the one place: a remembered browser's own token
        keys = re.findall(r"\blocalStorage\.\w+\(([^,)]*)", source)
        assert keys and set(keys) == {"BROWSER"}, keys
    else:
        assert not re.search(r"\blocalStorage\b", source), "tokens stay in sessionStorage"
    assert not re.search(r"\bconsole\.", source), "nothing is logged to the console"
    assert "?token=" not in source and "&token=" not in source


def test_every_event_the_api_records_has_words_on_the_account_page():
    """Recent activity reads as sentences: a new audit kind needs its words in account.js."""
    root = SITE.parent
    recorded = set()
    for path in (root / "chalicelib").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        recorded |= set(re.findall(r"audit\.record(?:_for)?\([^)\"]*\"([a-z_]+)\"", source))
    script = (SITE / "js" / "account.js").read_text(encoding="utf-8")
    events = script[script.index("const EVENTS = {") :]
    events = events[: events.index("\n};")]
    worded = set(re.findall(r"^  ([a-z_]+): \{", events, re.MULTILINE))
    assert {"signup", "email_proven", "password_reset"} <= recorded
    assert recorded - worded == set()
