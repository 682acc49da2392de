"""Links we email: a random token in the URL's fragment, kept here only as its SHA-256.

A link is for one kind of use (``proof``, ``release``, ``reset``) and one account, works
once and until its expiry, which every read checks (TTL deletes late). It is spent by a
conditional delete in the same transaction as what it does, so two clicks can never both
act. The token travels after ``#`` (``https://<site>/reset.html#token=…``): browsers
never send a fragment to a server, so it reaches no access log and no Referer; the page
reads it, posts it to the API and takes it out of the address bar.
"""

import re

from chalicelib import clock, storage, tokens
from chalicelib.config import settings
from chalicelib.errors import LinkExpired, LinkInvalid
from chalicelib.models import EmailLink, User

MAX_TOKEN = 128
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,128}$")  # what tokens.new_token makes, with room


def issue(kind, user, seconds, **fields):
    """Store a new link of ``kind`` for ``user``'s account; its token (shown only once)."""
    now = clock.now()
    token = tokens.new_token()
    EmailLink(
        token_hash=tokens.hash_token(token),
        kind=kind,
        email=user.email,
        user_id=user.user_id,
        account_created_at=user.created_at,
        created_at=now,
        expires_at=now + seconds,
        ttl=clock.at(now + seconds),
        **fields,
    ).save(condition=EmailLink.token_hash.does_not_exist())
    return token


def page_url(page):
    """A page of the site, on its origin (SITE_ORIGIN)."""
    return f"{settings().site_origin}/{page}"


def url(page, param, token):
    """``https://<site>/<page>#<param>=<token>``: the token never leaves the browser as a URL."""
    return f"{page_url(page)}#{param}={token}"


def withdraw(*tokens_):
    """Delete links whose email was never sent (best effort: they expire anyway)."""
    for token in tokens_:
        storage.write_if(EmailLink(token_hash=tokens.hash_token(token)).delete)


def read_token(form, name="token"):
    """A link's token from a request body, or a field error."""
    value = form.text(name, max_len=MAX_TOKEN)
    if value is not None and not _TOKEN.match(value):
        form.fail(name, "is not a token from one of our links")
        return None
    return value


def redeem(kind, token):
    """The live link of ``kind`` behind ``token``; LinkInvalid or LinkExpired otherwise.

    Nothing is spent yet: ``spend`` adds that to the transaction that does the link's work.
    """
    link = storage.get_or_none(EmailLink, tokens.hash_token(token))
    if link is None or link.kind != kind:
        raise LinkInvalid()
    if clock.now() >= link.expires_at:
        raise LinkExpired()
    return link


def spend(transaction, link):
    transaction.delete("link", link, EmailLink.token_hash.exists())


def commit(transaction, refusal):
    """Commit a link's transaction; LinkInvalid if it was spent meanwhile, ``refusal`` if
    the account's condition failed."""
    failed = transaction.commit()
    if "link" in failed:
        raise LinkInvalid()
    if failed:
        raise refusal


def same_account(link):
    """The condition that the user record is still the account the link was sent for."""
    condition = User.created_at == link.account_created_at
    if link.user_id is not None:
        condition &= User.user_id == link.user_id
    return condition
