"""Browser tests with Playwright's async API, run on the session's event loop.

tests/conftest.py's `browser` fixture uses Playwright's sync API. After every sync call Playwright
marks its own loop as the thread's running loop (`asyncio._set_running_loop`), on purpose, so
pytest-asyncio can no longer run the autouse async fixtures (`clean_db`): every test errors at
set-up with "Runner.run() cannot be called from a running event loop". The async API has no such
clash, and the tests can await the factories directly, on the loop whose SQLite connection or
PostgreSQL pool the session set up. So `browser` is overridden here, under the same name.
"""
from __future__ import annotations

import os

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.conftest import CHROMIUM_ARGS  # the module pytest already loaded: no second test DB

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# A mid-range Android phone: 360 CSS px wide, as many elderly residents have.
PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="session")
async def browser():
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=os.environ.get("YISHI_CHROMIUM", "/usr/bin/chromium"),
                                    args=CHROMIUM_ARGS)
        yield b
        await b.close()


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
