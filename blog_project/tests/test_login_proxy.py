"""Login throttling behind proxies: the client's address comes from X-Forwarded-For only through trusted proxies."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

pytestmark = pytest.mark.django_db

ADMIN_ADDRESS = "198.51.100.7"  # the real editor
ATTACKER_ADDRESS = "203.0.113.9"
PROXY_ADDRESS = "10.0.0.2"
PASSWORD = "the-right-password-1"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_superuser("editor", "editor@example.org", PASSWORD)


def log_in(client, password, remote_addr, forwarded_for=None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    client.cookies.clear()
    return client.post(reverse("admin:login"), {"username": "editor", "password": password}, **headers)


def attack(client, settings, remote_addr, forged, appended=None):
    """LOGIN_FAILURE_LIMIT wrong passwords with a forged X-Forwarded-For (and what a proxy appends to it)."""
    header = forged if appended is None else f"{forged}, {appended}"
    return [log_in(client, f"wrong-{n}", remote_addr, header).status_code for n in range(settings.AXES_FAILURE_LIMIT)]


def test_without_trusted_proxies_a_forged_header_locks_out_only_the_sender(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 0

    statuses = attack(client, settings, ATTACKER_ADDRESS, forged=ADMIN_ADDRESS)

    assert statuses[-1] == 429  # the attacker is locked out...
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER_ADDRESS}
    admin = log_in(client, PASSWORD, ADMIN_ADDRESS)  # ...and the editor's own address is not
    assert admin.status_code == 302
    again = log_in(client, PASSWORD, ATTACKER_ADDRESS, forwarded_for="192.0.2.1")
    assert again.status_code == 429  # nor can the sender escape with another forged header


def test_behind_one_proxy_the_address_it_appended_is_the_client(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    statuses = attack(client, settings, PROXY_ADDRESS, forged=ADMIN_ADDRESS, appended=ATTACKER_ADDRESS)

    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER_ADDRESS}
    # the editor comes through the same proxy: only the right-most, proxy-added address counts
    assert log_in(client, PASSWORD, PROXY_ADDRESS, forwarded_for=ADMIN_ADDRESS).status_code == 302
    forged_again = log_in(client, PASSWORD, PROXY_ADDRESS, forwarded_for=f"192.0.2.1, {ATTACKER_ADDRESS}")
    assert forged_again.status_code == 429


def test_behind_two_proxies_the_outer_one_names_the_client(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    load_balancer = "10.0.0.1"

    statuses = attack(
        client, settings, PROXY_ADDRESS, forged=ADMIN_ADDRESS, appended=f"{ATTACKER_ADDRESS}, {load_balancer}"
    )

    assert statuses[-1] == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER_ADDRESS}
    assert log_in(client, PASSWORD, PROXY_ADDRESS, forwarded_for=f"{ADMIN_ADDRESS}, {load_balancer}").status_code == 302


def test_a_request_that_bypassed_the_proxy_is_its_own_remote_address(client, editor, settings):
    settings.TRUSTED_PROXY_COUNT = 1

    statuses = attack(client, settings, ATTACKER_ADDRESS, forged="")  # no header: straight to gunicorn

    assert statuses[-1] == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER_ADDRESS}
    assert log_in(client, PASSWORD, PROXY_ADDRESS, forwarded_for=ADMIN_ADDRESS).status_code == 302
