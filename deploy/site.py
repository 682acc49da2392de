"""Publish static_site/ to the stage's bucket: each file as it is, with its type and caching.

The security headers are not in the files: CloudFront's response headers policy adds them
(chalicelib.headers, as devstack's site server does). ``config.js`` is written for the
stage, naming its WebSocket API; the pages call the API on their own origin, at /api.
Pages and config.js must be fetched fresh (``no-cache``); the other assets may be cached
for five minutes.
"""

import json
import pathlib
from dataclasses import dataclass

from chalicelib.headers import UNKNOWN_TYPE, cache_control, content_type
from deploy import bucket as buckets
from deploy.errors import DeployError

CONFIG_KEY = "config.js"
NOT_PUBLISHED = {CONFIG_KEY, "config.example.js"}  # config.js is written for the stage


@dataclass(frozen=True)
class SiteObject:
    key: str
    body: bytes
    content_type: str
    cache_control: str


def config_js(ws_url=None):
    """The site's ``/config.js`` module (devstack.site writes the same for the local stack)."""
    return f"export const config = {{wsUrl: {json.dumps(ws_url)}}};\n"


def site_objects(site_dir, ws_url=None):
    """Every object of the site, config.js naming the WebSocket API at ``ws_url`` included.

    Without ``ws_url`` (no WebSocket API) config.js says ``wsUrl: null`` and the pages poll.
    """
    ws_url = ws_url.rstrip("/") if ws_url else None
    objects = [_site_object(site_dir, path) for path in _site_files(site_dir)]
    config = config_js(ws_url).encode("utf-8")
    kind = content_type(CONFIG_KEY)
    objects.append(SiteObject(CONFIG_KEY, config, kind, cache_control(CONFIG_KEY)))
    return objects


def publish(s3, bucket, objects, log=print):
    """Upload ``objects`` and delete what the site dropped."""
    for item in objects:
        s3.put_object(
            Bucket=bucket,
            Key=item.key,
            Body=item.body,
            ContentType=item.content_type,
            CacheControl=item.cache_control,
        )
    keys = {item.key for item in objects}
    stale = sorted(set(buckets.object_keys(s3, bucket)) - keys)
    buckets.delete_objects(s3, bucket, stale)
    log(f"bucket {bucket}: {len(objects)} objects published, {len(stale)} removed")


def _site_files(site_dir):
    for path in sorted(pathlib.Path(site_dir).rglob("*")):
        relative = path.relative_to(site_dir)
        hidden = any(part.startswith(".") for part in relative.parts)
        if path.is_file() and not hidden and relative.as_posix() not in NOT_PUBLISHED:
            yield path


def _site_object(site_dir, path):
    key = path.relative_to(site_dir).as_posix()
    kind = content_type(key)
    if kind == UNKNOWN_TYPE:
        raise DeployError(
            f"no Content-Type known for {key}: add its suffix to chalicelib/headers.py"
        )
    return SiteObject(key, path.read_bytes(), kind, cache_control(key))
