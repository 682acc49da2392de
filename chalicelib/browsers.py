"""Remembered browsers: a browser that proved a second factor may skip it for 30 days.

The browser keeps a random token (in localStorage, the one thing the site keeps there);
we keep only its SHA-256, with the browser's description, IP and last use, so the
account page can list it with "Forget". With the right password from that browser the
second step is skipped. A new password forgets every one; an account keeps ten at most.
"""

from chalicelib import audit, clock, storage, tokens
from chalicelib.context import describe_browser
from chalicelib.errors import NotFound, TooManyBrowsers
from chalicelib.models import RememberedBrowser, User

REMEMBER_SECONDS = 30 * 24 * 3600
MAX_BROWSERS = 10
MAX_TOKEN = 256


def remember(email, context):
    """Remember this browser; the token it keeps (shown once) and how it is listed."""
    now = clock.now()
    token = tokens.new_token()
    browser = RememberedBrowser(
        token_hash=tokens.hash_token(token),
        browser_id=tokens.new_id(),
        email=email,
        description=describe_browser(context.user_agent),
        ip=context.ip,
        created_at=now,
        last_used_at=now,
        expires_at=now + REMEMBER_SECONDS,
        ttl=clock.at(now + REMEMBER_SECONDS),
    )
    transaction = storage.Transaction()
    transaction.update(
        "account",
        User(email=email),
        [User.browsers.add(1)],
        User.email.exists() & (User.browsers.does_not_exist() | (User.browsers < MAX_BROWSERS)),
    )
    transaction.save("browser", browser, RememberedBrowser.token_hash.does_not_exist())
    if transaction.commit():
        raise TooManyBrowsers()
    audit.record_for(context, email, "browser_remembered")
    return {"token": token, "browser": _view(browser)}


def recognise(user, token):
    """True when ``token`` is a live remembered browser of ``user``'s account (its use is
    noted); never one remembered by an earlier account with the email (released)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
        return False
    browser = storage.get_or_none(RememberedBrowser, tokens.hash_token(token))
    now = clock.now()
    if browser is None or browser.email != user.email or now >= browser.expires_at:
        return False
    if browser.created_at < user.created_at:
        return False
    storage.write_if(
        browser.update,
        actions=[RememberedBrowser.last_used_at.set(now)],
        condition=RememberedBrowser.token_hash.exists(),
    )
    return True


def listed(email):
    """The account's live remembered browsers, most recently used first (one query)."""
    now = clock.now()
    found = [b for b in RememberedBrowser.account_index.query(email) if now < b.expires_at]
    return [_view(b) for b in sorted(found, key=lambda b: b.last_used_at, reverse=True)]


def forget(email, browser_id, context):
    """Forget one of the account's browsers by its id."""
    for browser in _of(email):
        if browser.browser_id == browser_id:
            _delete(browser)
            audit.record_for(context, email, "browser_forgotten")
            return
    raise NotFound("There is no such remembered browser.")


def forget_all(email):
    """Forget every browser of the account (its password changed); how many there were."""
    browsers = list(_of(email))
    for browser in browsers:
        _delete(browser)
    return len(browsers)


def _of(email):
    keys = RememberedBrowser.account_index.query(email)
    return filter(None, (storage.get_or_none(RememberedBrowser, key.token_hash) for key in keys))


def _delete(browser):
    if storage.write_if(browser.delete, condition=RememberedBrowser.token_hash.exists()):
        storage.write_if(
            User(email=browser.email).update,
            actions=[User.browsers.add(-1)],
            condition=User.browsers > 0,
        )


def _view(browser):
    return {
        "id": browser.browser_id,
        "description": browser.description,
        "ip": browser.ip,
        "remembered_at": clock.iso(browser.created_at),
        "last_used": clock.iso(browser.last_used_at),
    }
