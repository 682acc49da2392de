"""GET callbacks flatten their params the way Rails' ``to_query`` does, as Authy's real ones."""

import json
import urllib.parse

from devstack.emulator.callback_payload import app_id, query_pairs
from tests.emulator.conftest import vector


def test_flattening_a_real_post_body_gives_the_keys_of_a_real_get_callback():
    post_body = json.loads(vector("post-approved")["body"])
    real_get = urllib.parse.parse_qsl(vector("get-approved")["query_string"], True)
    assert [key for key, _ in query_pairs(post_body)] == [key for key, _ in real_get]


def test_the_flattened_real_body_encodes_like_the_real_query():
    post_body = json.loads(vector("post-approved")["body"])
    ours = dict(query_pairs(post_body))
    assert ours["approval_request[logos]"] == ""
    assert ours["approval_request[transaction][encrypted]"] == "false"
    assert ours["approval_request[expiration_timestamp]"] == "1513009800"
    assert "approval_request[transaction][device_details]" not in ours


def test_scalars_arrays_and_empty_containers():
    params = {
        "b": None,
        "a": {"z": True, "y": 1.5, "x": {}, "w": []},
        "list": ["one", "two"],
        "objects": [{"res": "low", "url": "u1"}, {"res": "high", "url": "u2"}],
    }
    assert query_pairs(params) == [
        ("a[y]", "1.5"),
        ("a[z]", "true"),
        ("b", ""),
        ("list[]", "one"),
        ("list[]", "two"),
        ("objects[][res]", "low"),
        ("objects[][url]", "u1"),
        ("objects[][res]", "high"),
        ("objects[][url]", "u2"),
    ]


def test_the_app_id_is_stable_and_looks_like_authys():
    assert app_id("k") == app_id("k") != app_id("other")
    assert len(app_id("k")) == 24
    int(app_id("k"), 16)
