"""Which IP addresses a tenant-controlled URL may reach."""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata services live here (169.254.169.254, fd00:ec2::254 is inside fc00::/7).
_LINK_LOCAL_V4 = ipaddress.ip_network("169.254.0.0/16")
_SHARED_V4 = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, often internal
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Metadata endpoints outside link-local: AWS IPv6, Alibaba, Azure wireserver, Oracle.
_METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("fd00:ec2::254", "100.100.100.200", "168.63.129.16", "192.0.0.192")
)


# What the C resolver reads as an IPv4 address: 1 to 4 parts, each decimal, octal (0...) or hex (0x...).
_INET_ATON_FORM = re.compile(r"(?:0[xX][0-9a-fA-F]*|[0-9]+)(?:\.(?:0[xX][0-9a-fA-F]*|[0-9]+)){0,3}")


def ip_of_host(host: str) -> IPAddress | None:
    """The address a URL host names literally, None for a name that needs DNS.

    Besides the usual forms this reads what getaddrinfo reads without DNS: 2852039166,
    0xa9fea9fe, 0251.0376.0251.0376 and 169.254.43518 are all 169.254.169.254.
    """
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if not _INET_ATON_FORM.fullmatch(bare):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except OSError:
        return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """An IPv4 address carried inside an IPv6 one reaches that IPv4 host: judge it instead."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


# (test, reason, allowed when private networks are allowed), checked in order.
_RULES: tuple[tuple[Callable[[IPAddress], bool], str, bool], ...] = (
    (lambda ip: ip in _METADATA, "cloud metadata address", False),
    (lambda ip: ip.is_unspecified, "unspecified address", False),
    (
        lambda ip: ip.is_link_local or ip in _LINK_LOCAL_V4,
        "link-local address (cloud metadata lives here)",
        False,
    ),
    (lambda ip: ip.is_multicast, "multicast address", False),
    (lambda ip: ip.is_loopback, "loopback address", True),
    (lambda ip: ip.is_reserved, "reserved address", False),
    (lambda ip: ip.is_private or ip in _SHARED_V4, "private address", True),
    (lambda ip: not ip.is_global, "non-global address", False),
)


def address_refusal(address: str | IPAddress, *, allow_private: bool = False) -> str | None:
    """Why `address` may not be contacted, or None when it may.

    Deployed mode refuses everything that is not a global unicast address. With `allow_private`
    (the local stack and tests) loopback and private ranges are allowed explicitly, but
    link-local (hence the metadata service), multicast, unspecified and reserved never are.
    """
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return address_refusal(embedded, allow_private=allow_private)
    for test, reason, allowed_when_private in _RULES:
        if test(ip):
            return None if (allow_private and allowed_when_private) else reason
    return None


def is_allowed_address(address: str | IPAddress, *, allow_private: bool = False) -> bool:
    return address_refusal(address, allow_private=allow_private) is None
