"""Name resolution, injectable so tests never touch DNS."""

from __future__ import annotations

import socket
from collections.abc import Callable

# (host, port) -> every IP address the host resolves to, as strings.
Resolver = Callable[[str, int], list[str]]


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[str] = []
    for _family, _type, _proto, _canonname, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses
