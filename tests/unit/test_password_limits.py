"""Wrong passwords: blocked per (email, network) so a stranger cannot lock the owner out,
under a per-email ceiling across networks; networks are IPv4 addresses or IPv6 /64s."""

from chalicelib import ratelimits
from tests.unit.conftest import SIGNUP, body

RIGHT = {"email": SIGNUP["email"], "password": SIGNUP["password"]}
WRONG = {"email": SIGNUP["email"], "password": "not the password"}
PER_NETWORK = ratelimits.FAILED_PASSWORDS.most


def guess(api, times):
    return [api.post("/login", WRONG).status_code for _ in range(times)]


def test_a_strangers_guesses_do_not_lock_the_owner_out_elsewhere(api, user, from_ip):
    from_ip("198.51.100.66")
    assert guess(api, PER_NETWORK) == [401] * PER_NETWORK
    refused = api.post("/login", RIGHT)  # the block holds where the guesses came from
    assert refused.status_code == 429 and body(refused)["error"]["code"] == "too_many_attempts"

    from_ip("203.0.113.9")
    assert api.post("/login", RIGHT).status_code == 200


def test_one_ipv6_64_is_one_network_whatever_address_it_uses(api, user, from_ip):
    for n in range(PER_NETWORK):
        from_ip(f"2001:db8:1234:5678::{n + 1:x}")
        assert api.post("/login", WRONG).status_code == 401
    from_ip("2001:db8:1234:5678:abcd::1")  # the same /64, a new address
    assert api.post("/login", RIGHT).status_code == 429

    from_ip("2001:db8:1234:5679::1")  # the next /64 is another network
    assert api.post("/login", RIGHT).status_code == 200


def test_an_ipv4_mapped_address_is_its_ipv4_network(api, user, from_ip):
    from_ip("198.51.100.66")
    guess(api, PER_NETWORK)
    from_ip("::ffff:198.51.100.66")
    assert api.post("/login", RIGHT).status_code == 429


def test_guesses_spread_over_many_networks_meet_the_per_email_ceiling(api, user, from_ip):
    ceiling = ratelimits.FAILED_PASSWORDS_PER_EMAIL.most
    for network in range(ceiling // PER_NETWORK):
        from_ip(f"198.51.100.{network + 1}")
        assert guess(api, PER_NETWORK) == [401] * PER_NETWORK

    from_ip("203.0.113.9")  # the owner, from a network that never guessed
    refused = api.post("/login", RIGHT)

    assert refused.status_code == 429 and body(refused)["error"]["code"] == "too_many_attempts"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600


def test_logins_per_network_count_a_whole_ipv6_64(api, user, from_ip):
    limit = ratelimits.LOGINS_PER_NETWORK.most
    for n in range(limit):
        from_ip(f"2001:db8:aaaa:bbbb::{n + 1:x}")
        api.post("/login", {"email": f"u{n}@example.com", "password": "not the password"})
    from_ip("2001:db8:aaaa:bbbb:1::1")
    response = api.post("/login", RIGHT)
    assert response.status_code == 429 and body(response)["error"]["code"] == "rate_limited"
