"""The client's address behind the reverse proxy (issue 15, finding 1).

Behind a TLS-terminating proxy every request comes from the proxy's address; the
client's own is in ``X-Forwarded-For``, which each proxy *appends* to. Only the
entries our own proxies appended can be trusted — everything to their left is
whatever the client sent. ``settings.TRUSTED_PROXIES`` says which those are:

- ``0`` or empty (the default): no proxy is trusted, the address is ``REMOTE_ADDR``
  and ``X-Forwarded-For`` is ignored (a client could write anything there);
- a number ``n``: exactly ``n`` proxies stand in front of the portal, the client is
  the ``n``-th entry from the right (the portal is reachable only through them);
- networks (``10.0.0.0/8, 192.168.1.5``): a hop whose address lies in one of them is
  a proxy; the client is the right-most hop that is not, starting from ``REMOTE_ADDR``
  (a request that does not come from a trusted proxy keeps ``REMOTE_ADDR``).

One function, ``client_address(request)``, is the answer everywhere: django-axes asks it
(``AXES_CLIENT_IP_CALLABLE``) and ``ClientAddressMiddleware`` writes it into
``REMOTE_ADDR``, which the WSGI server's access log reads from the same environ.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Trusted = int | tuple[Network, ...]

# The proxy's address, kept for whoever needs to know which proxy forwarded a request.
PROXY_ADDRESS_KEY = "kiportal.proxy_address"


def parse_trusted_proxies(value: str | int | Iterable[str] | None) -> Trusted:
    """``"2"`` → 2; ``"10.0.0.0/8, ::1"`` → networks; empty → 0. Anything else is a
    configuration error at start-up, not a silent "trust nobody"."""
    if value is None or isinstance(value, bool):
        return 0
    if isinstance(value, int):
        if value < 0:
            raise ImproperlyConfigured("TRUSTED_PROXIES must not be negative.")
        return value
    items = [value] if isinstance(value, str) else list(value)
    parts = [p.strip() for item in items for p in str(item).split(",") if p.strip()]
    if not parts:
        return 0
    if len(parts) == 1 and parts[0].isdigit():
        return int(parts[0])
    try:
        return tuple(ipaddress.ip_network(p, strict=False) for p in parts)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {exc}. Expected a number of proxies or IP networks."
        ) from exc


@functools.lru_cache(maxsize=8)
def _trusted(value) -> Trusted:
    return parse_trusted_proxies(value)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is the IPv4 client.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _forwarded_hops(meta) -> list[str]:
    header = meta.get("HTTP_X_FORWARDED_FOR", "")
    return [hop.strip() for hop in header.split(",") if hop.strip()]


def resolve(meta, trusted: Trusted) -> str | None:
    """The client's address from a WSGI environ (``request.META``)."""
    remote = meta.get(PROXY_ADDRESS_KEY) or meta.get("REMOTE_ADDR", "")
    direct = _address(remote)
    if not trusted:
        return str(direct) if direct else None
    hops = _forwarded_hops(meta)
    if isinstance(trusted, int):
        if len(hops) < trusted:
            # Not the chain we expect: the request did not pass every proxy.
            return str(direct) if direct else None
        candidate = _address(hops[-trusted])
        return str(candidate) if candidate else (str(direct) if direct else None)
    if direct is None or not any(direct in net for net in trusted):
        return str(direct) if direct else None
    client = direct
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # garbage in the chain: stop at the last hop we could read
        client = address
        if not any(address in net for net in trusted):
            break
    return str(client)


def client_address(request) -> str | None:
    """The address django-axes and the access log attribute a request to."""
    return resolve(request.META, _trusted(_hashable(settings.TRUSTED_PROXIES)))


def _hashable(value):
    if isinstance(value, list | set):
        return tuple(value)
    return value


class ClientAddressMiddleware:
    """Puts the client's address into ``REMOTE_ADDR`` (the proxy's stays under
    ``PROXY_ADDRESS_KEY``). gunicorn's access log reads the same environ dict, so its
    ``%(h)s`` shows the client, not the proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        if PROXY_ADDRESS_KEY not in meta:
            address = client_address(request)
            meta[PROXY_ADDRESS_KEY] = meta.get("REMOTE_ADDR", "")
            if address:
                meta["REMOTE_ADDR"] = address
        return self.get_response(request)
