"""Publish static_site/ to the stage's bucket as devstack serves it, with S3 headers.

The rendering (the REST API's and the WebSocket API's origins in each page's CSP,
``/config.js`` with ``apiBase`` and ``wsUrl``) is devstack.site's, so the cloud and the
local stack serve the same bytes. Pages and config.js must be fetched fresh
(``no-cache``); the other assets may be cached for five minutes.
"""

import pathlib
from dataclasses import dataclass

from deploy import bucket as buckets
from deploy.errors import DeployError
from devstack import site as rendering

CONFIG_KEY = "config.js"
NOT_PUBLISHED = {CONFIG_KEY, "config.example.js"}  # config.js is written for the stage
REVALIDATE = "no-cache"
ASSET_CACHE = "public, max-age=300"
UNKNOWN_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class SiteObject:
    key: str
    body: bytes
    content_type: str
    cache_control: str


def site_objects(site_dir, api_url, ws_url=None):
    """Every object of the site for the APIs at ``api_url`` and ``ws_url``, config.js included.

    Without ``ws_url`` (no WebSocket API) config.js says ``wsUrl: null`` and the pages poll.
    """
    api_url = api_url.rstrip("/")
    ws_url = ws_url.rstrip("/") if ws_url else None
    objects = [_site_object(site_dir, path, api_url, ws_url) for path in _site_files(site_dir)]
    config = rendering.config_js(api_url, ws_url).encode("utf-8")
    objects.append(SiteObject(CONFIG_KEY, config, rendering.content_type(CONFIG_KEY), REVALIDATE))
    return objects


def publish(s3, bucket, objects, log=print):
    """Upload ``objects``, open exactly them to the public, delete what the site dropped."""
    for item in objects:
        s3.put_object(
            Bucket=bucket,
            Key=item.key,
            Body=item.body,
            ContentType=item.content_type,
            CacheControl=item.cache_control,
        )
    keys = {item.key for item in objects}
    buckets.allow_public_read(s3, bucket, keys)
    stale = sorted(set(buckets.object_keys(s3, bucket)) - keys)
    buckets.delete_objects(s3, bucket, stale)
    log(f"bucket {bucket}: {len(objects)} objects published, {len(stale)} removed")


def _site_files(site_dir):
    for path in sorted(pathlib.Path(site_dir).rglob("*")):
        relative = path.relative_to(site_dir)
        hidden = any(part.startswith(".") for part in relative.parts)
        if path.is_file() and not hidden and relative.as_posix() not in NOT_PUBLISHED:
            yield path


def _site_object(site_dir, path, api_url, ws_url):
    key = path.relative_to(site_dir).as_posix()
    kind = rendering.content_type(key)
    if kind == UNKNOWN_TYPE:
        raise DeployError(f"no Content-Type known for {key}: add its suffix to devstack/site.py")
    body = rendering.render(key, path.read_bytes(), api_url, ws_url)
    cache = REVALIDATE if key.endswith(".html") else ASSET_CACHE
    return SiteObject(key, body, kind, cache)
