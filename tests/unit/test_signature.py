"""chalicelib.vendors.authy.signature against the real callbacks Authy sent (docs/authy-api.md)."""

import json
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from chalicelib.vendors.authy import signature

VECTORS = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "authy-callback-vectors.json").read_text()
)["vectors"]


def params_of(vector, raw=None):
    """Parse a vector's POST body or GET query the way the callback route does."""
    if vector["method"] == "POST":
        return signature.parse_json(vector["body"] if raw is None else raw)
    return parse_qsl(vector["query_string"] if raw is None else raw, keep_blank_values=True)


def checks(vector, **changes):
    v = {**vector, **changes}
    try:
        params = params_of(
            vector, v.get("body") if v["method"] == "POST" else v.get("query_string")
        )
    except ValueError:
        return False  # an edit that breaks the JSON can never be accepted
    return signature.verify(v["api_key"], v["method"], v["url"], params, v["nonce"], v["signature"])


def one_byte_edits(text):
    """Every string that differs from ``text`` in exactly one character."""
    for i, char in enumerate(text):
        yield text[:i] + chr(ord(char) ^ 1) + text[i + 1 :]


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["name"])
def test_real_callbacks_verify(vector):
    assert checks(vector)
    assert (
        signature.sign(
            vector["api_key"], vector["method"], vector["url"], params_of(vector), vector["nonce"]
        )
        == vector["signature"]
    )


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["name"])
@pytest.mark.parametrize("field", ["payload", "nonce", "url", "method", "api_key", "signature"])
def test_every_one_byte_edit_is_rejected(vector, field):
    if field == "payload":
        field = "body" if vector["method"] == "POST" else "query_string"
    original = vector[field]
    rejected = [not checks(vector, **{field: edited}) for edited in one_byte_edits(original)]
    assert len(rejected) == len(original) and all(rejected)


def test_the_other_method_is_rejected():
    post = next(v for v in VECTORS if v["method"] == "POST")
    params = params_of(post)
    assert not signature.verify(
        post["api_key"], "GET", post["url"], params, post["nonce"], post["signature"]
    )


@pytest.mark.parametrize(
    "text, encoded",
    [
        ("a b", "a+b"),
        ("~", "%7E"),
        ("*-_.", "*-_."),
        ("é", "%C3%A9"),
        ("a/b", "a%2Fb"),
    ],
)
def test_form_encoding(text, encoded):
    assert signature.canonical_query([("k", text)]) == f"k={encoded}"


def test_arrays_and_nesting_flatten_as_authy_does():
    params = {"logos": [{"res": "low", "url": "u1"}], "b": None, "a": {"t": True, "e": {}}}
    assert signature.canonical_query(params) == (
        "a%5Bt%5D=true&b=&logos%5B%5D%5Bres%5D=low&logos%5B%5D%5Burl%5D=u1"
    )


@pytest.mark.parametrize("bad", ["", None])
def test_missing_signature_or_nonce_is_rejected(bad):
    v = VECTORS[0]
    assert not signature.verify(v["api_key"], "POST", v["url"], params_of(v), bad, v["signature"])
    assert not signature.verify(v["api_key"], "POST", v["url"], params_of(v), v["nonce"], bad)
