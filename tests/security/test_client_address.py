"""``kiportal.client_address``: which address a request is attributed to (issue 15,
finding 1) — for axes and for the WSGI server's access log."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from kiportal.client_address import (
    ClientAddressMiddleware,
    client_address,
    parse_trusted_proxies,
    resolve,
)


def meta(remote, forwarded=None):
    data = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        data["HTTP_X_FORWARDED_FOR"] = forwarded
    return data


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", 0), ("0", 0), ("2", 2), (None, 0), (1, 1)],
)
def test_a_count_of_proxies(value, expected):
    assert parse_trusted_proxies(value) == expected


def test_networks_of_proxies():
    networks = parse_trusted_proxies("10.0.0.0/8, 192.168.5.2 ,fd00::/8")
    assert [str(n) for n in networks] == ["10.0.0.0/8", "192.168.5.2/32", "fd00::/8"]


def test_a_wrong_setting_stops_the_start():
    with pytest.raises(ImproperlyConfigured):
        parse_trusted_proxies("proxy.example")


def test_without_trusted_proxies_the_header_is_ignored():
    assert resolve(meta("203.0.113.5", "198.51.100.1"), 0) == "203.0.113.5"


def test_one_proxy_the_last_entry_is_the_client():
    assert resolve(meta("10.0.0.2", "192.0.2.1, 203.0.113.5"), 1) == "203.0.113.5"


def test_two_proxies_the_second_last_entry_is_the_client():
    assert resolve(meta("10.0.0.3", "192.0.2.1, 203.0.113.5, 10.0.0.2"), 2) == "203.0.113.5"


def test_a_shorter_chain_than_configured_keeps_remote_addr():
    assert resolve(meta("10.0.0.2"), 1) == "10.0.0.2"


def test_garbage_or_ports_in_the_header():
    assert resolve(meta("10.0.0.2", "nonsense"), 1) == "10.0.0.2"
    assert resolve(meta("10.0.0.2", "203.0.113.5:51234"), 1) == "203.0.113.5"
    assert resolve(meta("10.0.0.2", "[2001:db8::7]:443"), 1) == "2001:db8::7"


def test_networks_skip_the_trusted_hops_from_the_right():
    trusted = parse_trusted_proxies("10.0.0.0/8")
    chain = "192.0.2.1, 203.0.113.5, 10.1.1.1"
    assert resolve(meta("10.0.0.2", chain), trusted) == "203.0.113.5"


def test_networks_a_request_not_from_a_proxy_keeps_its_address():
    trusted = parse_trusted_proxies("10.0.0.0/8")
    assert resolve(meta("203.0.113.9", "192.0.2.1"), trusted) == "203.0.113.9"


def test_the_middleware_rewrites_remote_addr_once(settings):
    settings.TRUSTED_PROXIES = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
    ClientAddressMiddleware(lambda r: None)(request)
    assert request.META["REMOTE_ADDR"] == "203.0.113.5"
    # Asking again (axes does) gives the same answer, not the header's neighbour.
    assert client_address(request) == "203.0.113.5"


def test_the_wsgi_servers_access_log_sees_the_client(settings, db):
    """gunicorn logs ``%(h)s`` from the environ it handed to the application; Django's
    request.META is that very dict."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.client import FakePayload

    settings.TRUSTED_PROXIES = 1
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/healthz/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "10.0.0.2",
        "HTTP_X_FORWARDED_FOR": "203.0.113.5",
        "wsgi.input": FakePayload(b""),
        "wsgi.url_scheme": "http",
    }
    WSGIHandler()(environ, lambda status, headers: None)
    assert environ["REMOTE_ADDR"] == "203.0.113.5"
