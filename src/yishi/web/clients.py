"""Who is asking: the one answer to "what is the client address of this request", for the rate
limits (login, suggestions, tracking codes) and anything else that records or counts by address.

Behind a reverse proxy (nginx) every request comes from the proxy's address; the proxy names the
real client in X-Forwarded-For, appending the address it was connected from. Only the proxies
listed in YISHI_TRUSTED_PROXIES are believed: the header is read from the right, skipping the
trusted hops, and the first address not trusted is the client (the rightmost untrusted hop). A
client that writes its own X-Forwarded-For only adds entries to the left of what the proxy
appends, so it cannot choose the address it is counted under. Without trusted proxies the header
is ignored and the direct peer is the client."""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

from litestar.connection import ASGIConnection

from yishi.core import limits
from yishi.core.i18n import ngettext
from yishi.core.limits import AttemptLimiter

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "?"


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.7:51234
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket (::ffff:203.0.113.7) is that IPv4 client.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: Sequence[Network]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def resolve(peer: str | None, forwarded_for: Iterable[str], proxies: Sequence[Network]) -> str:
    """The client address from the direct peer, the X-Forwarded-For header values (in the order
    received) and the trusted proxies; UNKNOWN when there is no peer (a test client, a socket)."""
    current = _address(peer) if peer else None
    if current is None:
        return peer or UNKNOWN
    if not proxies or not _trusted(current, proxies):
        return str(current)
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # garbage in the header: nothing left of it can be believed
            return str(current)
        current = address
        if not _trusted(current, proxies):
            return str(current)
    return str(current)  # every hop trusted: the leftmost is as far as anyone can tell


def client_address(connection: ASGIConnection) -> str:
    """The client address of this request (see the module's doc), as text: '203.0.113.7'."""
    settings = connection.app.state.settings
    peer = connection.client.host if connection.client else None
    return resolve(peer, connection.headers.getall("x-forwarded-for", []), settings.trusted_proxies)


def limiter(connection: ASGIConnection, name: str, limit: int, window: int) -> AttemptLimiter:
    """A limit counted in the app's shared store (core.limits), so every server process agrees."""
    return AttemptLimiter(connection.app.state.shared_store, name, limit, window)


def too_often(wait: int) -> str:
    """What a resident's refused form says when the client posted too often: when to try again,
    and that what was typed is still there (the page comes back with it)."""
    minutes = limits.minutes(wait)
    return ngettext("提交太频繁了，请 {n} 分钟后再试。您写的内容还在下面。",
                    "提交太频繁了，请 {n} 分钟后再试。您写的内容还在下面。", minutes).format(n=minutes)
