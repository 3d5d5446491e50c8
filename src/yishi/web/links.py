"""The address printed for residents: every QR code and link on paper (ballot slips, paper
ballots, rating codes, posters) and in exported files is YISHI_PUBLIC_URL, never the Host of the
request that printed it: a clerk printing from the office machine would otherwise hand out
"http://127.0.0.1:8000/v/…", which no resident can open. Until it is set the request's address
stands in, and the pages that print show the clerk a warning (templates/_public_url_warning.html)."""
from __future__ import annotations

from litestar.connection import ASGIConnection


def public_base(connection: ASGIConnection) -> str:
    """The site's public address without a trailing slash: https://yishi.example.gov.cn."""
    return connection.app.state.settings.public_url or str(connection.base_url).rstrip("/")
