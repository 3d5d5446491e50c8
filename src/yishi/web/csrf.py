"""CSRF on every route: Litestar's CSRFMiddleware, with a token that is not plain text refused.

Litestar compares a token's signature with secrets.compare_digest over str, which raises
TypeError on non-ASCII text, and takes the length of whatever the form field holds (a file, in
a multipart post): a 128-character Chinese _csrf_token, or a file sent as _csrf_token, was a 500
(shorter tokens are refused before the comparison). Here both get the usual 403. This overrides
one method, a private one: tests/ballots/test_vote_fast_path.py posts both and fails if a Litestar
release renames it. (A copy of the whole check that skipped building a Request and one HMAC saved
7-8 µs of CPU per ballot POST, under a tenth of a ballot's; it needed four private names and a
pin below Litestar 2.26, and was dropped: issue 20, figures in bench/README.md.)"""
from __future__ import annotations

from typing import Any

from litestar.middleware.csrf import CSRFMiddleware as _LitestarCSRFMiddleware


class CSRFMiddleware(_LitestarCSRFMiddleware):
    def _csrf_tokens_match(self, request_csrf_token: Any, cookie_csrf_token: Any) -> bool:
        return (isinstance(request_csrf_token, str) and request_csrf_token.isascii()
                and isinstance(cookie_csrf_token, str) and cookie_csrf_token.isascii()
                and super()._csrf_tokens_match(request_csrf_token, cookie_csrf_token))
