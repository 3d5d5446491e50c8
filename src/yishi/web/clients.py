"""Who is asking: the client address that rate limits count by.

One function, so that reading the address behind a reverse proxy (X-Forwarded-For, only from
trusted proxies) changes it in one place for every limit."""
from __future__ import annotations

from litestar.connection import ASGIConnection


def client_address(request: ASGIConnection) -> str:
    return request.client.host if request.client else "?"
