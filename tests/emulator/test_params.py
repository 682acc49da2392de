"""Rails-style parameter nesting."""

import pytest

from devstack.emulator.params import from_json, is_true, nest


def test_bracketed_keys_nest():
    pairs = [("user[email]", "a@b.co"), ("user[cellphone]", "555"), ("force", "true")]
    assert nest(pairs) == {"user": {"email": "a@b.co", "cellphone": "555"}, "force": "true"}


def test_empty_brackets_build_lists_of_objects():
    pairs = [
        ("logos[][res]", "default"),
        ("logos[][url]", "a"),
        ("logos[][res]", "low"),
        ("logos[][url]", "b"),
        ("tags[]", "x"),
        ("tags[]", "y"),
    ]
    assert nest(pairs) == {
        "logos": [{"res": "default", "url": "a"}, {"res": "low", "url": "b"}],
        "tags": ["x", "y"],
    }


def test_deeper_nesting():
    assert nest([("a[b][c]", "1"), ("a[b][d]", "2")]) == {"a": {"b": {"c": "1", "d": "2"}}}


def test_conflicting_shapes_keep_the_first():
    assert nest([("a", "1"), ("a[b]", "2")]) == {"a": "1"}


def test_json_bodies_may_mix_nested_and_flat_keys():
    body = {"user": {"email": "a@b.co"}, "user[cellphone]": "555", "message": "hi"}
    assert from_json(body) == {"user": {"email": "a@b.co", "cellphone": "555"}, "message": "hi"}


@pytest.mark.parametrize("value", [True, "true", "TRUE", "1", "yes", "on"])
def test_true_flags(value):
    assert is_true(value)


@pytest.mark.parametrize("value", [False, "false", "0", "", None, "nope"])
def test_false_flags(value):
    assert not is_true(value)
