"""The pages people read on a phone, at 360 px: how tall they are and how small their smallest
text is. The convener of a 33-item 民主议事定方向 meeting votes on the same short rows as a member,
and chairs from a panel one tap away; the public results read on a phone. Figures are printed
(pytest -s) so the before/after numbers in the notes can be checked."""
from __future__ import annotations

import itertools
import random
import re
from datetime import UTC, datetime

import pytest
from playwright.async_api import expect

from tests import factories as f
from tests.e2e.helpers import login, measure
from tests.meetings import setup
from yishi.accounts.enums import Role
from yishi.ballots import casting as ballots
from yishi.ballots import lifecycle
from yishi.demo import ITEMS
from yishi.meetings import meeting
from yishi.meetings.enums import MeetingStep, Presence
from yishi.meetings.tables import CouncilMember
from yishi.wishlists import services as wishlists

pytestmark = pytest.mark.e2e


async def demo_sized_meeting() -> dict:
    """The demo's first round (33 items, 3,000,000 yuan, up to 5 ticks) counted, and its
    民主议事定方向 meeting under way: the convener is a member of the council, everyone present."""
    places = await f.make_places(n_communities=2)
    convener = await f.make_user(Role.convener, places)
    member = await f.make_user(Role.member, places)
    rid = await wishlists.create_round(town_id=places["town"], title="2026年首批次", budget_fen=300_000_000,
                                       max_ticks=5, actor=convener)
    r = await wishlists.get_round(rid)
    for title, description, yuan, kind in ITEMS:
        await wishlists.add_item(r, title=title, description=description, cost_fen=yuan * 100, kind=kind,
                                 actor=convener)
    codes = await f.open_round(await wishlists.get_round(rid), codes_per_community=20)
    ids = await f.item_ids(rid)
    rng = random.Random(7)
    for code in codes[:36]:
        await ballots.cast_ballot(code, rng.sample(ids[:20], 3) + rng.sample(ids[20:], 2))
    await lifecycle.close_voting(await wishlists.get_round(rid), actor=convener)
    council_id, members = await setup.council(places, member_user=member)
    await CouncilMember.update({CouncilMember.user: convener.id}).where(CouncilMember.id == members[0])
    mid = await meeting.create_meeting(council_id, step=MeetingStep.decide, title="2026年首批次民主议事会",
                                       held_at=datetime(2026, 7, 1, 6, 30, tzinfo=UTC),
                                       place="街道党群服务中心", round_id=rid, actor=convener)
    m = await meeting.get_meeting(mid)
    for member_id in members:
        await meeting.set_presence(m, member_id, Presence.present, actor=convener)
    await meeting.start(m, actor=convener)
    return {"convener": convener, "member": member, "meeting": mid, "round": rid}


async def test_convener_votes_on_short_rows_and_chairs_one_tap_away(open_page):
    ctx = await demo_sized_meeting()
    figures = {}
    for who in ("convener", "member"):
        page = await open_page(phone=True)
        await login(page, ctx[who].username)
        await page.goto(f"/meetings/{ctx['meeting']}")
        await expect(page.locator("#votes-left")).to_contain_text("还剩 33 项未表决")
        figures[who] = await measure(page)
        rows = page.locator("#vote-table > li")
        await expect(rows).to_have_count(33)
        await expect(rows.get_by_role("button", name=re.compile("^赞成 "))).to_have_count(33)
        await expect(page.get_by_text("记录举手表决")).to_have_count(0)
        await expect(page.get_by_text("还没有议程")).to_have_count(0)
        await expect(page.locator("#vote-table")).to_contain_text("均等份额法")
        await expect(page.locator("#vote-table")).not_to_contain_text("MES")
        await expect(page.locator(".facts")).to_contain_text(f"召集人：{ctx['convener'].display_name}")
        if who == "convener":
            await page.get_by_role("link", name=re.compile("主持会议")).click()
            await expect(page).to_have_url(re.compile(r"/chair$"))
            await expect(page.locator("#attendance select")).to_have_count(7)
            await expect(page.locator("#hands-table > li")).to_have_count(33)
            await expect(page.get_by_role("button", name="会议结束，纪要定稿")).to_be_visible()
            await expect(page.locator("#agenda")).to_contain_text("本次会议逐项表决本批次清单的 33 个项目")
            figures["chair"] = await measure(page)
    print("\nphone 360 px:", {k: (v["height"], v["smallest"], v["runs"]) for k, v in figures.items()})
    assert figures["convener"]["height"] < 4000  # was at least 9,800 px with the demo's 33 items
    for who, fig in figures.items():
        assert fig["under14"] == [], who
        assert not fig["overflows"], who


async def test_public_results_read_on_a_phone(open_page):
    """Each item's full name on its own line, its count beside its bar and its cost under it, none
    smaller than 16 px at 360 px (the old SVG chart's labels came out near 10 px and the table
    squeezed "停车难治理：错时共享停车位" into five lines)."""
    ctx = await demo_sized_meeting()
    page = await open_page(phone=True)
    await page.goto(f"/results/{ctx['round']}")
    rows = page.locator("#approvals .bars > li")
    await expect(rows).to_have_count(33)
    long = rows.filter(has_text="停车难治理：错时共享停车位")
    await expect(long.locator(".label")).to_have_text(re.compile(r"^\d+停车难治理：错时共享停车位$"))
    await expect(long.locator(".cost")).to_have_text("预计费用 85,000.00 元")
    sizes = await page.evaluate("""() => Array.from(document.querySelectorAll(
        '#approvals .bars .label, #approvals .bars .n, #approvals .bars .n small, #approvals .bars .cost'))
        .map(e => parseFloat(getComputedStyle(e).fontSize))""")
    assert min(sizes) >= 16, min(sizes)
    box = await long.locator(".label").bounding_box()
    assert box["height"] < 2 * 30 and box["x"] + box["width"] <= 360  # one line, two at most, on screen
    figures = await measure(page)
    print("\nresults 360 px:", figures["height"], figures["smallest"])
    assert figures["under14"] == [] and not figures["overflows"]


async def test_tracking_page_says_answered_and_what_happens_next(open_page):
    from yishi.suggestions import services as suggestions
    from yishi.suggestions.enums import Grade, Track

    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    receipt = await f.make_suggestion(places)
    await suggestions.grade(receipt.id, grade=Grade.C, track=Track.now, actor=staff)
    await suggestions.answer(receipt.id, "已联系物业，本周内更换路灯。", actor=staff)
    page = await open_page(phone=True)
    await page.goto(f"/t/{receipt.tracking_code}")
    await expect(page.locator("#status")).to_have_text("已答复，继续办理中")  # was "已分级"
    await expect(page.locator("#reply")).to_have_text("已联系物业，本周内更换路灯。")
    await expect(page.locator("#next-step")).to_contain_text("办结后本页会显示办结时间")


async def test_administrators_tabs_all_on_screen_at_360(open_page):
    places = await f.make_places()
    admin = await f.make_user(Role.admin, places)
    page = await open_page(phone=True)
    await login(page, admin.username)
    await page.goto("/users/")
    tabs = page.locator("nav.tabs a")
    assert await tabs.count() >= 6
    for box in [await tabs.nth(i).bounding_box() for i in range(await tabs.count())]:
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box  # none cut at the edge


async def test_district_review_comment_boxes_labelled_and_headings_in_order_on_all_three_pages(open_page):
    from yishi.meetings import decisions, desk

    ctx = await setup.decide_meeting()
    for item in ctx["ids"][:2]:
        await setup.vote_all(ctx, item)
    await decisions.decide(ctx["meeting"], "同意实施项目1和项目2。", "", actor=ctx["convener"])
    round_ = await wishlists.get_round(ctx["round"].id)
    v1 = await desk.submit(round_, "", actor=ctx["convener"])
    reviewer = await f.make_user(Role.district_reviewer, ctx["places"])
    # A second version, so that the review and versions pages also show their comparison.
    await desk.review(v1, approve=False, comment="补充材料", item_comments={}, actor=reviewer)
    v2 = await desk.submit(round_, "已补充。", actor=ctx["convener"])
    page = await open_page(phone=True)
    await login(page, reviewer.username)

    async def headings_in_order() -> None:
        levels = await page.evaluate("() => Array.from(document.querySelectorAll('main h1, main h2, main h3, main h4'))"
                                     ".map(h => Number(h.tagName[1]))")
        assert levels[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(levels)), (page.url, levels)

    await page.goto(f"/district/submissions/{getattr(v2, 'id', v2)}")
    await expect(page.get_by_text("与第 1 版相比")).to_be_visible()
    for title in ("项目1", "项目2"):
        label = page.locator("label", has_text=f"对“{title}”的意见")
        await expect(label).to_be_visible()
        assert (await label.bounding_box())["height"] > 14  # read on the phone, not a 1 px screen-reader label
        await expect(page.get_by_label(f"对“{title}”的意见")).to_be_editable()
    await headings_in_order()
    # The other two pages of the district's review: the versions compared, and the desk.
    await page.goto(f"/rounds/{round_.id}/submissions?a=1&b=2")
    await expect(page.get_by_text("与第 1 版相比")).to_be_visible()
    await headings_in_order()
    await page.goto("/district")
    await headings_in_order()


async def test_file_input_in_chinese_with_the_chosen_name(open_page, tmp_path):
    places = await f.make_places()
    admin = await f.make_user(Role.admin, places)
    page = await open_page(phone=True)
    await login(page, admin.username)
    await page.goto("/users/import")
    await expect(page.locator("#file-name")).to_have_text("未选择文件")
    await expect(page.locator("label.file-pick")).to_contain_text("选择文件")
    sheet = tmp_path / "账号名单.xlsx"
    sheet.write_bytes(b"PK")
    await page.get_by_label(re.compile("Excel 文件")).set_input_files(sheet)
    await expect(page.locator("#file-name")).to_have_text("已选择：账号名单.xlsx")


async def test_statistics_dates_typed_the_chinese_way_and_the_table_says_it_scrolls(open_page):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    await f.make_suggestion(places)
    page = await open_page(phone=True)
    await login(page, staff.username)
    await page.goto("/suggestions/stats")
    await expect(page.locator("#stats-scroll-hint")).to_be_visible()
    await expect(page.locator("#stats-scroll-hint")).to_contain_text("左右滑动")
    for typed in ("2026-12-06", "2026/12/6", "2026年12月6日"):
        await page.get_by_label("收到日期从").fill("2020年1月1日")
        await page.get_by_label("到", exact=True).fill(typed)
        await page.get_by_role("button", name="统计").click()
        await expect(page.locator(".alert")).to_have_count(0)
        await expect(page.locator("#stats-table")).to_be_visible()
    assert await page.get_by_label("收到日期从").get_attribute("type") == "text"  # no mm/dd/yyyy
