"""What the browser tests do over and over: log in, accept confirm() dialogs, read a PDF."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from playwright.async_api import Page

from tests.factories import PASSWORD


async def login(page: Page, username: str, password: str = PASSWORD) -> None:
    await page.goto("/login")
    await page.get_by_label("用户名", exact=True).fill(username)
    await page.get_by_label("密码", exact=True).fill(password)
    await page.get_by_role("button", name="登录", exact=True).click()


def accept_dialogs(page: Page) -> list[str]:
    """Accept every confirm() on the page; the returned list collects their messages."""
    seen: list[str] = []

    async def handle(dialog) -> None:
        seen.append(dialog.message)
        await dialog.accept()

    page.on("dialog", handle)
    return seen


def pdf_fonts(path: Path) -> list[dict]:
    """pdffonts' table as rows: name, and whether the font is embedded."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name ... type ... encoding  emb sub uni  object-id generation
        rows.append({"name": parts[0], "embedded": parts[-5] == "yes"})
    return rows


def pdf_text(path: Path) -> str:
    """pdftotext's text with all white space removed: it drops or adds spaces around CJK at will."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", out)
