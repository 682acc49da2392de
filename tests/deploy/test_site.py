"""deploy.site and deploy.bucket: the site in its private bucket, on a moto server."""

import json

import pytest

from deploy.bucket import admit_only, delete_bucket, ensure_private_bucket
from deploy.errors import DeployError
from deploy.project import SITE_DIR
from deploy.site import config_js, publish, site_objects
from devstack.site import config_js as local_config_js
from tests.deploy.conftest import REGION

WS_URL = "wss://ws4567.execute-api.eu-central-1.amazonaws.com/api/"
BUCKET = "twofold-dev-site-123456789012-eu-central-1"
TYPES = [
    ("index.html", "text/html; charset=utf-8", "no-cache"),
    ("js/app.js", "text/javascript; charset=utf-8", "public, max-age=300"),
    ("site.css", "text/css; charset=utf-8", "public, max-age=300"),
    ("favicon.svg", "image/svg+xml", "public, max-age=300"),
    ("img/logo.png", "image/png", "public, max-age=300"),
    ("config.js", "text/javascript; charset=utf-8", "no-cache"),
]


@pytest.fixture
def small_site(tmp_path):
    """A site with one file of each kind, plus what must not be published."""
    site = tmp_path / "site"
    pages = {
        "index.html": "<p>home</p>",
        "js/app.js": "import { config } from '../config.js';",
        "site.css": "body {}",
        "favicon.svg": "<svg/>",
        "config.example.js": "export const config = {};",
        "config.js": "export const config = {apiBase: 'http://127.0.0.1:8000'};",
        ".DS_Store": "x",
    }
    for name, text in pages.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text)
    (site / "img").mkdir()
    (site / "img" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return site


@pytest.mark.parametrize(("key", "content_type", "cache"), TYPES)
def test_each_kind_of_file_gets_its_headers(small_site, key, content_type, cache):
    objects = {item.key: item for item in site_objects(small_site)}
    assert objects[key].content_type == content_type
    assert objects[key].cache_control == cache


def test_config_js_is_written_for_the_stage_and_local_copies_are_not_published(small_site):
    objects = {item.key: item for item in site_objects(small_site)}
    assert set(objects) == {key for key, _, _ in TYPES}
    assert objects["config.js"].body == b"export const config = {wsUrl: null};\n"


def test_config_js_names_the_websocket_api(small_site):
    objects = {item.key: item for item in site_objects(small_site, WS_URL)}
    assert objects["config.js"].body == (
        b'export const config = {wsUrl: "wss://ws4567.execute-api.eu-central-1'
        b'.amazonaws.com/api"};\n'
    )


@pytest.mark.parametrize("ws_url", [WS_URL.rstrip("/"), None])
def test_the_cloud_and_the_local_stack_write_the_same_config_js(ws_url):
    assert config_js(ws_url) == local_config_js(ws_url)


def test_the_pages_go_as_they_are(small_site):
    """The headers, CSP included, come from CloudFront: the files need no rendering."""
    for item in site_objects(SITE_DIR):
        if item.key != "config.js":
            assert item.body == (SITE_DIR / item.key).read_bytes(), item.key


def test_a_file_of_unknown_type_stops_the_deploy(small_site):
    (small_site / "notes.md").write_text("# notes")
    with pytest.raises(DeployError, match="notes.md"):
        site_objects(small_site)


def _published(s3):
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    return {key: s3.head_object(Bucket=BUCKET, Key=key) for key in keys}


def test_publish_to_a_new_private_bucket(session, small_site, log):
    s3 = session.client("s3")
    ensure_private_bucket(s3, BUCKET, REGION, log)
    publish(s3, BUCKET, site_objects(small_site), log)

    assert s3.get_bucket_location(Bucket=BUCKET)["LocationConstraint"] == REGION
    block = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    controls = s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"]
    assert controls == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    headers = {key: (h["ContentType"], h["CacheControl"]) for key, h in _published(s3).items()}
    assert headers == {key: (content_type, cache) for key, content_type, cache in TYPES}
    with pytest.raises(s3.exceptions.ClientError, match="NoSuchBucketPolicy"):
        s3.get_bucket_policy(Bucket=BUCKET)  # nobody reads it until a distribution is admitted


def test_the_bucket_admits_one_distribution(session, log):
    s3 = session.client("s3")
    ensure_private_bucket(s3, BUCKET, REGION, log)
    admit_only(s3, BUCKET, "arn:aws:cloudfront::123456789012:distribution/E1")
    (statement,) = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
    assert statement == {
        "Sid": "OnlyTheStagesDistribution",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/*",
        "Condition": {
            "StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/E1"}
        },
    }


def test_publishing_again_is_fine_and_drops_what_the_site_dropped(session, small_site, log):
    s3 = session.client("s3")
    for _ in range(2):
        ensure_private_bucket(s3, BUCKET, REGION, log)
        publish(s3, BUCKET, site_objects(small_site), log)
    (small_site / "site.css").unlink()
    publish(s3, BUCKET, site_objects(small_site), log)
    assert "site.css" not in _published(s3)
    assert "1 removed" in log.lines[-1]
    assert s3.get_object(Bucket=BUCKET, Key="config.js")["Body"].read().startswith(b"export")


def test_delete_bucket_empties_it_first(session, small_site, log):
    s3 = session.client("s3")
    ensure_private_bucket(s3, BUCKET, REGION, log)
    publish(s3, BUCKET, site_objects(small_site), log)
    assert delete_bucket(s3, BUCKET, log) is True
    assert BUCKET not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert delete_bucket(s3, BUCKET, log) is False
