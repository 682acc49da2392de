"""The repository explains itself: every doc the code and docs cite is in docs/, and
nothing cites notes that live outside the repository."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", ".git", "build", "node_modules", ".pytest_cache", ".ruff_cache"}
CITED_DOC = re.compile(r"\bdocs/([\w.-]+\.md)")
OUTSIDE = re.compile(r"/work/shared|\bshared/[\w-]+\.(md|json)")


def sources():
    for path in ROOT.rglob("*"):
        if path.suffix in {".py", ".md", ".js", ".html"} and not SKIP & set(path.parts):
            yield path


@pytest.fixture(scope="module")
def texts():
    return {path.relative_to(ROOT): path.read_text(encoding="utf-8") for path in sources()}


def test_every_cited_doc_exists(texts):
    missing = {
        f"{source}: docs/{name}"
        for source, text in texts.items()
        for name in CITED_DOC.findall(text)
        if not (ROOT / "docs" / name).is_file()
    }
    assert missing == set()


def test_nothing_cites_notes_outside_the_repository(texts):
    this = Path(__file__).relative_to(ROOT)
    citing = sorted(str(source) for source, text in texts.items() if OUTSIDE.search(text))
    assert [source for source in citing if source != str(this)] == []


def test_the_vendor_docs_are_there_and_say_what_we_rely_on():
    verify = (ROOT / "docs" / "verify-api.md").read_text(encoding="utf-8")
    authy = (ROOT / "docs" / "authy-api.md").read_text(encoding="utf-8")
    for code in ("20003", "20404", "60200", "60202", "60203", "60308", "60310"):
        assert code in verify
    assert "X-Authy-Signature" in authy and "tests/data/authy-callback-vectors.json" in authy
