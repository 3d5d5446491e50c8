"""Browser tests with Playwright's async API, run on the session's event loop (the `browser`
fixture is in tests/conftest.py)."""
from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page

from tests.conftest import DESKTOP, PHONE  # the module pytest already loaded: no second test DB


@pytest.fixture
async def open_page(browser: Browser, live_server: str):
    """open_page(phone=False, javascript=True) -> a Page in a fresh context (own cookies), on the
    live server. Contexts close before the autouse clean_db empties the tables."""
    contexts = []

    async def _open(*, phone: bool = False, javascript: bool = True) -> Page:
        ctx = await browser.new_context(base_url=live_server, locale="zh-CN", java_script_enabled=javascript,
                                        accept_downloads=True, **(PHONE if phone else DESKTOP))
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        return await ctx.new_page()

    yield _open
    for ctx in contexts:
        await ctx.close()
