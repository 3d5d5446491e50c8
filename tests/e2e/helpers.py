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


# What a phone shows: the page's height and its smallest visible text. Every text run counts
# that has a box on screen, whether scrolled into view or not (a folded <details> has none).
MEASURE_JS = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node, runs = 0, smallest = 99, small = [];
  while ((node = walker.nextNode())) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange(); range.selectNodeContents(node);
    if (!Array.from(range.getClientRects()).some(r => r.width > 0 && r.height > 0)) continue;
    const style = getComputedStyle(node.parentElement);
    if (style.visibility === 'hidden') continue;
    const size = parseFloat(style.fontSize); runs++;
    if (size < smallest) smallest = size;
    if (size < 14) small.push(size + 'px ' + node.textContent.trim().slice(0, 20));
  }
  return {height: document.documentElement.scrollHeight, runs, smallest, under14: small,
          overflows: document.documentElement.scrollWidth > window.innerWidth};
}"""


async def measure(page: Page) -> dict:
    """{"height", "runs", "smallest", "under14": ["13.6px text", ...], "overflows"} of the page as shown."""
    return await page.evaluate(MEASURE_JS)
