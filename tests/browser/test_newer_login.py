"""One live login per account, as a person sees it: a newer login stops the older page,
and a login whose push was held back says why."""

import requests
from playwright.sync_api import expect

from tests.browser.helpers import LOGIN_URL, log_in


def api_login(stack, member):
    """Someone else (who has the password) logs in as the member, from a script."""
    answer = requests.post(
        f"{stack.api_url}/login",
        json={"email": member.email, "password": member.password},
        timeout=20,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["challenge"]


def test_a_newer_login_stops_the_page_waiting_on_the_older_one(page, stack, member, shot):
    log_in(page, stack.site_url, member)
    expect(page.get_by_role("heading", name="Approve the request on your phone")).to_be_visible()

    newer = api_login(stack, member)

    assert newer["method"] == "onetouch"  # the newer login got a push of its own
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("alert")).to_contain_text("A newer login for this account started")
    expect(page.get_by_role("alert")).to_contain_text("change your password")
    shot(page, "superseded")


def test_a_login_after_three_pushes_says_the_cap_held_its_push_back(page, stack, member, shot):
    for _ in range(2):  # with the signup's, three pushes in 15 minutes
        assert api_login(stack, member)["method"] == "onetouch"

    log_in(page, stack.site_url, member)

    expect(page.get_by_role("heading", name="Enter your verification code")).to_be_visible()
    status = page.get_by_role("status")
    expect(status).to_contain_text("several requests to your phone in the last 15 minutes")
    expect(status).to_contain_text("change your password")
    shot(page, "push-cap")
