"""寻民意 in a real browser: a resident scans the poster's QR code, writes on a 360 px phone and
reads the tracking page; a street's staff member triages and answers; the resident sees it."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.suggestions import exports
from yishi.suggestions.tables import Suggestion

pytestmark = pytest.mark.e2e
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "suggestions"


def _decode_qr(pdf: bytes, tmp: Path) -> str:
    (tmp / "poster.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp / "poster.pdf"), str(tmp / "poster")],
                   check=True)
    return subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp / "poster.png")], capture_output=True, text=True,
                          check=True).stdout.strip()


async def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"e2e-{name}.png"), full_page=True)


async def _no_sideways_scroll(page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide on a 360px phone"


@pytest.mark.skipif(not shutil.which("zbarimg"), reason="zbar-tools not installed")
async def test_resident_scans_poster_submits_on_phone_and_tracks(open_page, live_server, tmp_path):
    places = await f.make_places()
    point = await f.make_point(places, community_index=1, name="五里村社区市民驿站观测点")
    _name, _mime, pdf = await exports.poster_pdf(point.id, live_server)
    url = _decode_qr(pdf, tmp_path)
    assert url == f"{live_server}/s/{point.code}"

    page = await open_page(phone=True)
    await page.goto(url)
    await page.get_by_text("五里村社区市民驿站观测点").wait_for()
    await _no_sideways_scroll(page)
    assert await page.get_by_label("所在社区（村）").input_value() == str(places["communities"][1])
    # A first try too short: the form says why in Chinese and keeps what was typed.
    await page.get_by_label("您的建议").fill("路灯")
    await page.get_by_label("公共设施").check()
    await page.get_by_role("button", name="提交建议").click()
    await page.get_by_text("至少 5 个字").first.wait_for()
    assert await page.get_by_label("您的建议").input_value() == "路灯"
    await page.get_by_label("您的建议").fill("驿站门口的路灯坏了三盏，晚上老人出门看不清台阶。")
    await page.get_by_label("公共设施").check()
    await page.get_by_label("联系电话").fill("13812345678")
    await _shot(page, "resident-form-360")
    await page.get_by_role("button", name="提交建议").click()

    await page.get_by_text("提交成功，谢谢您！").wait_for()
    code = (await page.locator("#tracking-code").inner_text()).strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert await page.locator("#status").inner_text() == "已受理"
    assert "13812345678" not in await page.content()
    await _no_sideways_scroll(page)
    await _shot(page, "resident-tracking-360")
    row = await Suggestion.select().where(Suggestion.tracking_code == code.replace("-", "")).first().run()
    assert row["channel"] == "qr" and row["point"] == point.id and row["phone_masked"] == "138****5678"

    # Later, on another day: the resident types the code into the lookup form.
    await page.goto("/t")
    await page.get_by_label("请输入查询码").fill(code.lower())
    await page.get_by_role("button", name="查询").click()
    await page.get_by_text("工作人员正在处理").wait_for()
    await page.goto("/t/ACDEFGHJ")
    await page.get_by_text("查不到这个查询码，请核对后重新输入。").wait_for()


async def test_staff_triages_merges_answers_and_resident_sees_reply(open_page, live_server):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    main = await f.make_suggestion(places, content="团结社区老楼没有电梯，老人下不了楼，希望加装电梯。",
                                   category="养老", phone="13912345678", name="陈志强")
    dup = await f.make_suggestion(places, content="5栋能不能装电梯？家里有坐轮椅的老人。", category="养老")

    page = await open_page()
    await page.goto("/login")
    await page.get_by_label("用户名", exact=True).fill(staff.username)
    await page.get_by_label("密码", exact=True).fill(f.PASSWORD)
    await page.get_by_role("button", name="登录", exact=True).click()
    await page.goto("/suggestions/")
    await page.get_by_placeholder("搜索内容、答复、牵头单位、查询码或电话").fill("老楼")
    await page.get_by_role("button", name="搜索", exact=True).click()
    await page.get_by_text("共 1 条").wait_for()
    await page.get_by_role("link", name=re.compile("团结社区老楼没有电梯")).click()

    # The phone shows masked; unmasking is one click for the street's staff and is logged.
    await page.get_by_text("139****5678").wait_for()
    await page.get_by_role("button", name="查看完整号码").click()
    await page.get_by_text("13912345678").wait_for()

    grading = page.locator("form[action$='/grade']")
    await grading.locator("select[name=grade]").select_option("A")
    await grading.locator("select[name=track]").select_option("study")
    await grading.locator("select[name=tier]").select_option("district")
    await grading.locator("input[name=lead_unit]").fill("区住建局")
    await page.get_by_role("button", name="保存分级").click()
    await page.locator("#status", has_text="已分级").wait_for()

    await page.locator("#merge").get_by_text("5栋能不能装电梯").click()
    await page.get_by_role("button", name="合并到本条").click()
    await page.get_by_text("合并进来的重复建议（1 条）").wait_for()

    await page.get_by_role("button", name="开始办理（由我负责）").click()
    await page.locator("#status", has_text="办理中").wait_for()
    await page.get_by_label("给居民的答复（必填）").first.fill("已列入老旧小区改造计划，区住建局下月入户征求意见。")
    await page.get_by_role("button", name="办结并答复").click()
    await page.locator("#status", has_text="已办结").wait_for()
    history = await page.locator("#history").inner_text()
    for step in ("受理", "分级", "查看完整电话", "合并重复建议", "开始办理", "办结"):
        assert step in history
    assert "13912345678" not in history
    await _shot(page, "staff-detail-1280")

    resident = await open_page(phone=True)
    await resident.goto(f"/t/{dup.tracking_code}")
    await resident.get_by_text("已列入老旧小区改造计划").wait_for()
    assert await resident.locator("#status").inner_text() == "已办结"
    await resident.get_by_text("共有 2 位居民提出了相同的建议。").wait_for()
    assert main.id
