"""Browser fixtures for this package's e2e tests: Playwright's async API.

tests/conftest.py's `browser` uses the sync API, which marks Playwright's own loop as the thread's
running loop after every call, so pytest-asyncio can no longer run the autouse async `clean_db`
("Runner.run() cannot be called from a running event loop"). With the async API the tests await
the factories on the session's loop instead of in a helper thread."""
from __future__ import annotations

import os

import pytest

from tests.conftest import CHROMIUM_ARGS

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
async def browser():
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=os.environ.get("YISHI_CHROMIUM", "/usr/bin/chromium"),
                                    args=CHROMIUM_ARGS)
        yield b
        await b.close()


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
