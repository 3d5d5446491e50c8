"""会商 in a real browser on a 360 px phone: the street calls a meeting from a case page with two
units, records attendance and the decision; the summoned clerk reports, answers her follow-up
item and rates the street's preparation."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import expect

from tests import factories as f
from tests.e2e.helpers import login
from yishi.accounts.enums import Role
from yishi.cases import consult, services
from yishi.cases.enums import MeetingState
from yishi.cases.services import Dispatch

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots")


async def fits(page) -> bool:
    return await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


async def test_street_calls_a_meeting_and_the_clerk_reports_answers_and_rates_on_a_phone(open_page):
    places = await f.make_places()
    city, housing = await f.make_unit(places, name="街道城管办"), await f.make_unit(places, name="区住建局")
    staff = await f.make_user(Role.street_staff, places)
    clerk = await f.make_clerk(places, city)
    s = await f.make_suggestion(places, content="团结路绿化带里堆了很多建筑垃圾，一直没人清理。")
    case_id = await services.dispatch(s.id, Dispatch(city), actor=staff)
    await services.accept(case_id, actor=clerk)
    SHOTS.mkdir(exist_ok=True)

    street = await open_page(phone=True)
    await login(street, staff.username)
    await street.goto(f"/cases/{case_id}")
    await street.get_by_role("link", name="召集会商（吹哨）").click()
    await expect(street.get_by_role("checkbox", name="团结路绿化带")).to_be_checked()
    await street.get_by_role("radio", name="现场办公会").check()
    await street.get_by_label("会商议题").fill("团结路建筑垃圾清运")
    await street.get_by_label("会商时间").fill("2026-03-12T14:30")
    await street.get_by_label("地点（现场办公会写现场位置）").fill("团结路绿化带")
    await street.get_by_role("checkbox", name="街道城管办").check()
    await street.get_by_role("checkbox", name="区住建局").check()
    await street.screenshot(path=str(SHOTS / "e2e-consult-call-360.png"), full_page=True)
    assert await fits(street)
    await street.get_by_role("button", name="召集会商").click()
    await expect(street.locator("#done")).to_contain_text("已召集会商")
    meeting_url = street.url.split("?")[0]

    clerk_page = await open_page(phone=True)
    await login(clerk_page, clerk.username)
    await clerk_page.goto("/cases/")
    await expect(clerk_page.locator("#queue-meetings")).to_contain_text("待报到")
    await clerk_page.locator("#queue-meetings").get_by_role("link", name="团结路建筑垃圾清运").click()
    await clerk_page.get_by_label("参会人（姓名、职务）").fill("李科长")
    await clerk_page.get_by_role("button", name="本单位报到").click()
    await expect(clerk_page.locator("#done")).to_have_text("已报到。")

    await street.goto(meeting_url)
    await expect(street.locator(f"#unit-{city}")).to_contain_text("已报到")
    await street.get_by_role("button", name="保存报到情况").click()  # the housing bureau did not come
    await street.get_by_label("会议纪要").fill("议定城管办三日内清运，住建局约谈施工单位。")
    await street.get_by_role("button", name="记为已召开").click()
    await expect(street.locator("#state")).to_have_text("已召开")
    await expect(street.locator(f"#unit-{housing}")).to_contain_text("未报到")
    decide = street.locator(f"#case-{case_id}")
    await decide.get_by_label("主责单位").select_option(str(city))
    await decide.get_by_role("checkbox", name="区住建局").check()
    await decide.get_by_label("决定（由谁做什么）").fill("城管办牵头清运，住建局督促施工单位")
    await decide.get_by_label("办结时限").fill("2026-03-20")
    await decide.get_by_role("button", name="保存决定").click()
    await expect(street.locator(f"#case-{case_id}")).to_contain_text("城管办牵头清运，住建局督促施工单位")
    await street.get_by_text("布置会后事项", exact=True).click()
    await street.get_by_label("承办单位").select_option(str(city))
    await street.get_by_label("要做什么").fill("清运后拍照回传")
    await street.get_by_label("完成期限").fill("2026-03-15")
    await street.get_by_role("button", name="布置", exact=True).click()
    await expect(street.locator("#items")).to_contain_text("清运后拍照回传")
    await street.screenshot(path=str(SHOTS / "e2e-consult-meeting-360.png"), full_page=True)
    assert await fits(street)

    await clerk_page.goto("/cases/")
    await expect(clerk_page.locator("#queue-items")).to_contain_text("清运后拍照回传")
    await clerk_page.locator("#queue-items").get_by_role("link", name="清运后拍照回传").click()
    await clerk_page.get_by_label("办理情况").fill("已清运 6 车，照片已上传。")
    await clerk_page.get_by_role("button", name="答复", exact=True).click()
    await expect(clerk_page.locator("#items")).to_contain_text("已清运 6 车，照片已上传。")
    prep = clerk_page.locator("#prep-form")
    await prep.get_by_role("radio", name="4 分").check()
    await prep.get_by_label("说明").fill("材料齐全")
    await prep.get_by_role("button", name="评价").click()
    await expect(clerk_page.locator("#done")).to_have_text("已评价。")
    await clerk_page.screenshot(path=str(SHOTS / "e2e-consult-clerk-360.png"), full_page=True)
    assert await fits(clerk_page)

    meeting = await consult.get_meeting(int(meeting_url.rsplit("/", 1)[1]))
    units = {u["unit"]: u for u in meeting["units"]}
    assert (meeting["state"], units[city]["reported"], units[city]["prep_score"], units[housing]["reported"]) == (
        MeetingState.held, True, 4, False)
    assert (meeting["cases"][0]["lead_unit"], meeting["follow_ups"][0]["answer"]) == (city, "已清运 6 车，照片已上传。")
