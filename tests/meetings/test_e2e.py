"""A full 民主议事定方向 meeting and the intent list's way through the district desk, in a real
browser: arrange the meeting, sign in, start, show of hands, decide, submit, return with an item
comment; then the 复议: a new 民主议事定方向 meeting that shows the district's comments, a member
votes on a phone (htmx) and the convener records the show of hands, the meeting decides the
revised list; resubmit, approve. Places, users, the council and a counted round are seeded."""
from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests import factories as f
from tests.e2e.helpers import accept_dialogs, login, pdf_fonts, pdf_text
from tests.meetings import setup
from yishi.accounts.enums import Role

pytestmark = pytest.mark.e2e


async def _sign_in_and_start(page, present: range) -> None:
    await page.get_by_role("link", name=re.compile("主持会议")).click()
    for n in present:
        await page.get_by_label(f"成员{n}", exact=True).select_option("present")
    await page.get_by_role("button", name="保存签到").click()
    await expect(page.locator("#quorum")).to_contain_text("已达到法定人数：应到 7 人")
    await page.get_by_role("button", name="开始会议").click()
    await expect(page.locator("#meeting-status")).to_have_text("会议进行中")
    await page.get_by_role("link", name=re.compile("主持会议")).click()


async def _show_of_hands(page, item: str, choice: str, members: list[int]) -> None:
    row = page.locator("#hands-table > li").filter(has_text=item)
    await row.get_by_text("记录举手表决").click()
    for n in members:
        await row.get_by_label(f"成员{n} {item}").select_option(choice)
    await row.get_by_role("button", name="保存表决").click()


async def test_meeting_decision_submission_return_reconsideration_resubmission_approval(open_page, tmp_path):
    places, convener, r, _ids = await setup.counted_round()
    member = await f.make_user(Role.member, places)
    await setup.council(places, member_user=member)  # 成员5 votes on their own phone
    reviewer = await f.make_user(Role.district_reviewer, places)

    page = await open_page()
    accept_dialogs(page)
    await login(page, convener.username)
    await page.goto("/council")
    await expect(page.locator("#coverage")).to_have_text("五类固定成员齐全，共 7 人。")
    await page.get_by_label("会议名称").fill("首批次民主议事会")
    await page.get_by_label("议事步骤").select_option(label="民主议事定方向")
    await page.get_by_label("所议批次").select_option(label="2026年首批次")
    await page.get_by_label("会议时间").fill("2026-03-12T14:30")
    await page.get_by_label("会议地点").fill("街道党群服务中心")
    await page.get_by_role("button", name="安排会议").click()
    await expect(page).to_have_url(re.compile(r"/meetings/\d+$"))
    meeting_url = page.url
    await expect(page.locator("#quorum")).to_contain_text("未达到法定人数")

    await page.get_by_role("link", name=re.compile("主持会议")).click()
    await expect(page.locator("#agenda")).to_contain_text("本次会议逐项表决本批次清单的 3 个项目")
    await page.get_by_label("议程内容").fill("通报群众勾选结果")
    await page.get_by_role("button", name="添加议程").click()
    await expect(page.locator("#agenda li")).to_have_count(1)
    await page.get_by_role("link", name=re.compile("回到会议页")).click()
    await _sign_in_and_start(page, range(1, 7))  # six of seven present, the X member absent
    await expect(page.locator("#quorum")).to_contain_text("已达到法定人数：应到 7 人，实到 6 人（需至少 4 人）")
    await expect(page.get_by_role("button", name="添加议程")).to_have_count(0)

    for item in ("项目1", "项目2"):
        await _show_of_hands(page, item, "yes", list(range(1, 7)))
        await expect(page.locator("#hands-table > li").filter(has_text=item)).to_contain_text(
            "赞成 6 · 反对 0 · 弃权 0")
    await page.get_by_label("决议内容").fill("经民主议事，同意实施项目1和项目2。")
    await page.get_by_role("button", name="按表决结果形成意愿清单").click()
    await expect(page.locator("#decided-here")).to_contain_text("本次会议已形成决议。")
    await page.get_by_role("link", name=re.compile("回到会议页")).click()
    await expect(page.locator("#voting")).to_contain_text("本次会议已形成决议。")

    await page.goto(f"/rounds/{r.id}/council-work")
    await page.get_by_role("button", name="报送区级审核").click()
    await expect(page.locator("#submission-status")).to_contain_text("第 1 版 已提交")

    desk = await open_page()
    await login(desk, reviewer.username)
    await desk.goto("/district")
    await desk.get_by_role("link", name=r.town_name).click()
    await desk.get_by_label("对“项目2”的意见").fill("项目2费用偏高，请暂缓。")
    await desk.get_by_role("button", name="退回修改").click()
    await expect(desk.locator("#sub-status")).to_have_text("已退回")

    # The street cannot edit the list: the convener arranges a 复议 meeting of the council.
    await page.goto(f"/rounds/{r.id}/council-work")
    await expect(page.locator("#return-comments")).to_contain_text("项目2：项目2费用偏高，请暂缓。")
    await expect(page.get_by_role("checkbox")).to_have_count(0)
    await expect(page.get_by_role("button", name="重新报送")).to_be_visible()  # a note-only resubmission stays possible
    form = page.locator("#revision-meeting-form")
    await expect(form.get_by_label("会议名称")).to_have_value("2026年首批次复议会议")
    await form.get_by_label("会议时间").fill("2026-03-20T14:30")
    await form.get_by_label("会议地点").fill("街道党群服务中心")
    await form.get_by_role("button", name="安排复议会议").click()
    await expect(page).to_have_url(re.compile(r"/meetings/\d+$"))
    revision_url = page.url
    await expect(page.locator("#revision-basis")).to_contain_text("复议：第 1 版意愿清单（2 项）")
    await expect(page.locator("#revision-basis")).to_contain_text("项目2：项目2费用偏高，请暂缓。")
    await expect(page.locator("#vote-table > li").filter(has_text="项目2")).to_contain_text(
        "区级意见：项目2费用偏高，请暂缓。")

    phone = await open_page(phone=True)
    await login(phone, member.username)
    await phone.goto(revision_url)
    await phone.get_by_role("button", name="我已到会，签到").click()
    await expect(phone.locator("#signed-in")).to_be_visible()

    await page.goto(revision_url)
    await _sign_in_and_start(page, range(1, 7))

    # 成员5 votes on the phone: one tap per item, the row folds to a ✓ without reloading the page.
    await phone.reload()
    await expect(phone.locator("#votes-left")).to_contain_text("还剩 3 项未表决")
    item1 = phone.locator("#vote-table > li").filter(has_text="项目1")
    await phone.evaluate("window.notReloaded = true")
    await item1.get_by_role("button", name="赞成 项目1").click()
    await expect(item1).to_contain_text("✓ 赞成")
    await expect(item1.get_by_role("button")).to_have_count(0)
    await expect(phone.locator("#votes-left")).to_contain_text("还剩 2 项未表决")
    assert await phone.evaluate("window.notReloaded === true")
    await phone.locator("#vote-table > li").filter(has_text="项目2").get_by_role("button", name="反对 项目2").click()
    await expect(phone.locator("#votes-left")).to_contain_text("还剩 1 项未表决")

    await page.reload()
    await _show_of_hands(page, "项目1", "yes", [1, 2, 3, 4, 6])
    await _show_of_hands(page, "项目2", "no", [1, 2, 3, 4, 6])
    await expect(page.locator("#hands-table > li").filter(has_text="项目1")).to_contain_text("赞成 6 · 反对 0 · 弃权 0")
    await expect(page.locator("#hands-table > li").filter(has_text="项目2")).to_contain_text("赞成 0 · 反对 6 · 弃权 0")
    await expect(page.locator("#departs")).to_be_visible()
    await page.get_by_label("决议内容").fill("按区级意见复议，同意实施项目1，项目2暂缓。")
    await page.get_by_label(re.compile("调整理由")).fill("区级审核意见：项目2费用偏高，暂缓实施。")
    await page.get_by_role("button", name="按表决结果形成修改后的意愿清单").click()
    await expect(page.locator("#decided-here")).to_contain_text("本次会议已形成决议。")

    await page.goto(f"/rounds/{r.id}/council-work")
    await expect(page.locator("#revision-done")).to_contain_text("复议会议“2026年首批次复议会议”")
    await page.get_by_label(re.compile("报送说明")).fill("已按意见复议，暂缓项目2。")
    await page.get_by_role("button", name="重新报送").click()
    await expect(page.locator("#submission-status")).to_contain_text("第 2 版 已提交")

    await desk.goto("/district")
    await desk.get_by_role("link", name=r.town_name).click()
    await expect(desk.locator("#diff")).to_contain_text("删去：项目2")
    await expect(desk.locator("#diff")).to_contain_text("本版由“2026年首批次复议会议”（2026-03-20）表决形成。")
    await desk.get_by_role("button", name="批准").click()
    await expect(desk.locator("#sub-status")).to_have_text("已批准")

    await page.goto(f"/rounds/{r.id}/council-work")
    await expect(page.locator("#council-work")).to_contain_text("已批准，1 项转为民生微事项目")
    await page.goto(f"/rounds/{r.id}/submissions")
    await expect(page.locator("#v1")).to_contain_text("首批次民主议事会")
    await expect(page.locator("#v2")).to_contain_text("2026年首批次复议会议")

    for url in (meeting_url, revision_url):
        await page.goto(url)
        await page.get_by_role("link", name=re.compile("主持会议")).click()
        await page.get_by_role("button", name="会议结束，纪要定稿").click()
        await expect(page.locator("#meeting-status")).to_have_text("纪要已定稿")
    for url, name, needles in (
            (f"{meeting_url}/minutes.pdf", "minutes.pdf", ["出席：", "经民主议事，同意实施项目1和项目2。"]),
            (f"{revision_url}/minutes.pdf", "revision.pdf",
             ["本次会议为复议会议", "对“项目2”的意见为“项目2费用偏高，请暂缓”。"]),
            (f"/rounds/{r.id}/intent-list.pdf", "dossier.pdf",
             ["附件1", "2026年3月12日，召开首批次民主议事会", "退回第1版意愿清单",
              "2026年3月20日，召开2026年首批次复议会议（民主议事定方向·复议）",
              "按区级意见复议，同意实施项目1，项目2暂缓。"])):
        response = await page.request.get(url)
        path = tmp_path / name
        path.write_bytes(await response.body())
        assert all(font["embedded"] for font in pdf_fonts(path))
        text = pdf_text(path)
        assert "—1—" in text
        for needle in needles:
            assert needle in text, (name, needle)
