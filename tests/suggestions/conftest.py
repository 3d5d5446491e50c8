"""Browser fixtures for this package's e2e tests (the `browser` itself is in tests/conftest.py)."""
from __future__ import annotations

import pytest

from tests.conftest import DESKTOP, PHONE


@pytest.fixture
async def new_page(browser, live_server):
    """new_page(phone=False) -> a page in its own context (own cookies) on the live server."""
    contexts = []

    async def _open(*, phone: bool = False):
        ctx = await browser.new_context(base_url=live_server, locale="zh-CN", **(PHONE if phone else DESKTOP))
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        return await ctx.new_page()

    yield _open
    for ctx in contexts:
        await ctx.close()
