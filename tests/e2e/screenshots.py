"""Screenshots of every page at phone and desktop width, to look at them as their users would.

Not a test. Start a server with demo data first, then run this script:

    YISHI_DATA_DIR=/tmp/yishi-shots .venv/bin/yishi serve --demo --port 8020
    .venv/bin/python tests/e2e/screenshots.py --url http://127.0.0.1:8020

The demo has a round being ticked and a decided one; the script adds, through the UI, a round
still being compiled (draft) and one whose ticking has ended (counted), unless a previous run
already did. PNGs go to artifacts/screenshots/ (gitignored), named <page>-<width>.png.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "artifacts" / "screenshots"
PASSWORD = "yishi-demo-2026"
CONVENER, REVIEWER = "dawan_zhaoji", "qu_shenhe"
DRAFT_TITLE, COUNTED_TITLE = "2026年第三批次", "2026年第二批次"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTHS = {360: 740, 1280: 900}


class Shots:
    def __init__(self, browser: Browser, url: str) -> None:
        self.browser = browser
        self.url = url

    def context(self, width: int, user: str | None = None):
        ctx = self.browser.new_context(viewport={"width": width, "height": WIDTHS[width]},
                                       device_scale_factor=2 if width < 600 else 1,
                                       is_mobile=width < 600, has_touch=width < 600, locale="zh-CN")
        page = ctx.new_page()
        page.on("dialog", lambda d: d.accept())
        if user:
            login(page, self.url, user)
        return ctx, page

    def save(self, page: Page, name: str, width: int) -> None:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"  {path.relative_to(ROOT)}")


def login(page: Page, url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(url + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def round_id_by_title(page: Page, url: str, title: str) -> int | None:
    page.goto(url + "/rounds")
    link = page.get_by_role("link", name=title, exact=True)
    if link.count() == 0:
        return None
    return int(link.first.get_attribute("href").rstrip("/").rsplit("/", 1)[1])


def create_round(page: Page, url: str, title: str, items: list[tuple[str, str, str]]) -> int:
    page.goto(url + "/rounds")
    page.locator("#new-round").get_by_label("批次名称").fill(title)
    page.get_by_label("批次预算（元）").fill("600000")
    page.get_by_label(re.compile("最多")).fill("2")
    page.get_by_role("button", name="创建批次").click()
    page.wait_for_url(re.compile(r"/rounds/\d+"))
    round_id = int(re.search(r"/rounds/(\d+)", page.url).group(1))
    for name, cost, kind in items:
        page.get_by_label("项目名称").fill(name)
        page.get_by_label("预计费用（元）").fill(cost)
        page.get_by_label("类型").select_option(label=kind)
        page.get_by_role("button", name="添加到清单").click()
        page.wait_for_load_state()
    return round_id


def adopt_in_meeting(page: Page, url: str, round_id: int) -> None:
    """民主恳谈交清单: arrange the council's meeting from the round page, sign everyone in, start
    it and adopt the list, so that it may be published."""
    page.goto(f"{url}/rounds/{round_id}")
    form = page.locator("#consult-meeting-form")
    form.get_by_label("会议时间").fill("2026-06-20T14:30")
    form.get_by_label("会议地点").fill("街道党群服务中心")
    form.get_by_role("button", name="安排恳谈会议").click()
    page.wait_for_url(re.compile(r"/meetings/\d+$"))
    page.get_by_role("link", name=re.compile("主持会议")).click()
    page.wait_for_load_state()
    for select in page.locator("#attendance select").all():
        select.select_option("present")
    page.get_by_role("button", name="保存签到").click()
    page.get_by_role("button", name="开始会议").click()
    page.get_by_role("button", name="清单定稿").click()
    page.wait_for_load_state()


def issue_codes(page: Page, url: str, round_id: int, n: int) -> list[str]:
    page.goto(f"{url}/rounds/{round_id}")
    page.get_by_label("生成选票码数量").fill(str(n))
    page.get_by_role("button", name="生成选票码").click()
    page.wait_for_load_state()
    return [c.replace("-", "") for c in page.locator(".code").all_inner_texts()]


def vote(page: Page, url: str, code: str, picks: list[int]) -> None:
    page.goto(f"{url}/v/{code}")
    boxes = page.locator('input[name="item"]')
    for i in picks:
        boxes.nth(i).check()
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()


def prepare(shots: Shots) -> dict:
    """The rounds the demo lacks: one in draft, one whose ticking has ended."""
    url = shots.url
    ctx, page = shots.context(1280, CONVENER)
    ids = {}
    draft = round_id_by_title(page, url, DRAFT_TITLE)
    if draft is None:
        draft = create_round(page, url, DRAFT_TITLE, [
            ("背街小巷路灯修复", "76000", "特色"),
            ("社区口袋公园", "320000", "特色"),
            ("独居老人智能呼叫器", "88000", "试点"),
        ])
    ids["draft"] = draft
    counted = round_id_by_title(page, url, COUNTED_TITLE)
    if counted is None:
        counted = create_round(page, url, COUNTED_TITLE, [
            ("雨污管网疏通", "230000", "特色"),
            ("四点半课堂", "70000", "特色"),
            ("健身器材更新", "65000", "普惠性"),
        ])
        adopt_in_meeting(page, url, counted)
        codes = issue_codes(page, url, counted, 6)
        page.goto(f"{url}/rounds/{counted}")
        page.get_by_role("button", name=re.compile("开放群众勾选")).click()
        page.wait_for_load_state()
        for code, picks in zip(codes[:4], [[0, 1], [0], [1, 2], [0, 2]], strict=True):  # two codes left unused
            vote(page, url, code, picks)
        page.goto(f"{url}/rounds/{counted}")
        page.get_by_role("button", name=re.compile("结束群众勾选")).click()
        page.wait_for_load_state()
    ids["counted"] = counted
    ids["voting"] = round_id_by_title(page, url, "2026年首批次")
    ids["decided"] = round_id_by_title(page, url, "2025年第四批次")
    # Fresh codes of the round being ticked, two per width: one to show an error, one to submit.
    ids["codes"] = issue_codes(page, url, ids["voting"], 2 * len(WIDTHS))
    ctx.close()
    return ids


def shoot_width(shots: Shots, width: int, ids: dict, codes: list[str]) -> None:
    url = shots.url
    ctx, page = shots.context(width)
    page.goto(url + "/")
    shots.save(page, "home", width)
    page.get_by_label("选票码").fill("ABCD-EFGH")
    page.get_by_role("button", name="开始勾选").click()
    page.wait_for_load_state()
    shots.save(page, "vote-unknown-code", width)
    page.goto(url + "/login")
    page.get_by_label("用户名").fill("zhangsan")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    shots.save(page, "login-error", width)
    page.goto(url + "/no-such-page")
    shots.save(page, "error-404", width)

    # A resident on the ballot: too many ticks first, then a valid ballot, then the code again.
    page.goto(f"{url}/v/{codes[0]}")
    shots.save(page, "vote", width)
    for i in range(6):
        page.locator('input[name="item"]').nth(i).check()
    shots.save(page, "vote-over-limit", width)
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    shots.save(page, "vote-error", width)
    page.goto(f"{url}/v/{codes[1]}")
    for i in (0, 2, 5):
        page.locator('input[name="item"]').nth(i).check()
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    shots.save(page, "receipt", width)
    page.goto(f"{url}/v/{codes[1]}")
    shots.save(page, "vote-used-code", width)
    ctx.close()

    ctx, page = shots.context(width, CONVENER)
    shots.save(page, "rounds", width)
    for state in ("draft", "voting", "counted", "decided"):
        page.goto(f"{url}/rounds/{ids[state]}")
        shots.save(page, f"round-{state}", width)
    page.goto(f"{url}/rounds/{ids['draft']}/edit")
    shots.save(page, "round-edit", width)
    # No decision form on the round page any more: "round-counted" shows the way to the council's
    # 民主议事定方向 meeting, where the decision is taken.
    page.goto(f"{url}/rounds/{ids['voting']}/codes")
    shots.save(page, "codes", width)
    if width > 600:  # the slips as the printer gets them
        page.emulate_media(media="print")
        shots.save(page, "codes-print", width)
        page.emulate_media(media="screen")
    page.goto(f"{url}/council/")
    shots.save(page, "council", width)
    # The demo's 民主恳谈交清单 meeting under way: the list compiled from residents' suggestions.
    page.goto(f"{url}/council/")
    page.get_by_role("link", name="2026年夏季批次民主恳谈会").first.click()
    page.wait_for_load_state()
    shots.save(page, "meeting-consult", width)
    ctx.close()

    ctx, page = shots.context(width, REVIEWER)
    shots.save(page, "rounds-reviewer", width)
    page.goto(f"{url}/rounds/{ids['decided']}")
    shots.save(page, "round-decided-reviewer", width)
    page.goto(f"{url}/rounds/{ids['voting']}/codes")
    shots.save(page, "error-403", width)
    ctx.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8020")
    args = parser.parse_args()
    url = args.url.rstrip("/")
    try:
        urllib.request.urlopen(url + "/healthz", timeout=2)
    except OSError:
        sys.exit(f"{url} 无响应。请先启动演示服务器：\n"
                 "  YISHI_DATA_DIR=/tmp/yishi-shots .venv/bin/yishi serve --demo --port 8020")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("YISHI_CHROMIUM", "/usr/bin/chromium"),
                                    args=CHROMIUM_ARGS)
        shots = Shots(browser, url)
        ids = prepare(shots)
        print(f"rounds: {ids}")
        for n, width in enumerate(WIDTHS):
            shoot_width(shots, width, ids, ids["codes"][2 * n: 2 * n + 2])
        browser.close()


if __name__ == "__main__":
    main()
