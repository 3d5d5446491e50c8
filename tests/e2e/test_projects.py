"""办实事 in a real browser: a unit clerk files a weekly report with a photo on a 360 px phone;
the street writes a finished project off; the monthly review's PDF rendered to PNG and read."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import expect

from tests import factories as f
from tests.e2e.helpers import login, pdf_text
from yishi.accounts.enums import Role
from yishi.projects import services
from yishi.projects.enums import ProjectState

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/shots")


async def _project_of_a_unit():
    places = await f.make_places()
    unit = await f.make_unit(places, "区住建局")
    places, (pid,) = await f.make_projects(places, items=1, lead_units=["区住建局"])
    staff = await f.make_user(Role.street_staff, places)
    clerk = await f.make_clerk(places, unit)
    await f.start_project(pid, staff)
    return places, pid, staff, clerk


async def test_unit_clerk_files_a_weekly_report_with_a_photo_on_a_phone(open_page, tmp_path):
    _places, pid, _staff, clerk = await _project_of_a_unit()
    photo = tmp_path / "现场.jpg"
    Image.new("RGB", (1600, 1200), (60, 140, 90)).save(photo, "JPEG")

    page = await open_page(phone=True)
    await login(page, clerk.username)
    await expect(page).to_have_url(re.compile(r"/projects/$"))  # a unit clerk starts here
    await page.get_by_role("link", name="项目1").click()
    await page.get_by_label("完成进度（%）").fill("35")
    await page.get_by_label("本周完成情况").fill("完成路面开挖 120 米")
    await page.get_by_label("下周计划").fill("铺设排水管线")
    await page.get_by_label("需协调事项 1").fill("需要街道协调停水时间")
    await page.get_by_label("累计已支出（元）").fill("18000")
    await page.locator("#photos").set_input_files(str(photo))
    await expect(page.locator("#photos-count")).to_have_text("已选择 1 张照片")
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / "e2e-weekly-form-360.png"), full_page=True)
    await page.get_by_role("button", name="提交周报告").click()

    await expect(page.locator("#weekly .ok")).to_contain_text("周报告已经填报")
    thumb = page.locator("#weekly .photos img").first
    await thumb.scroll_into_view_if_needed()
    await expect(thumb).to_be_visible()
    # Visible is not loaded: the <img> box shows before the file has arrived.
    await expect(thumb).to_have_js_property("complete", True)
    assert await thumb.evaluate("img => img.naturalWidth") == 480
    await expect(page.locator("#coordination")).to_contain_text("需要街道协调停水时间")
    await expect(page.locator("#summary .progress b")).to_have_text("35%")
    # Nothing wider than the phone: no sideways scrolling.
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    await page.screenshot(path=str(SHOTS / "e2e-weekly-filed-360.png"), full_page=True)
    p = await services.get_project(pid)
    assert (p["progress_pct"], p["spent_fen"]) == (35, 1_800_000)


async def test_street_writes_a_finished_project_off_and_residents_see_the_review(open_page):
    places, pid, staff, clerk = await _project_of_a_unit()
    await services.file_completion(pid, "铺设排水管线 300 米，恢复路面", 9_500_000, actor=clerk)

    page = await open_page()
    await login(page, staff.username)
    await page.goto(f"/projects/{pid}")
    await expect(page.locator("#state")).to_contain_text("铺设排水管线 300 米，恢复路面")
    form = page.locator("#write-off-form")
    await form.get_by_label("复盘：好经验、好做法（居民页面会显示）").fill("施工前请居民代表一起看现场，夜间不施工")
    await form.get_by_label("问题与教训（选填）").fill("停水通知要提前三天贴到单元门口")
    await form.get_by_role("button", name="销账").click()
    await expect(page.locator("#summary .state")).to_have_text("已销账")
    await expect(page.locator("#state .ok")).to_contain_text("销账")
    await page.screenshot(path=str(SHOTS / "e2e-written-off-1280.png"), full_page=True)
    assert (await services.get_project(pid))["state"] is ProjectState.written_off

    resident = await open_page(phone=True)
    await resident.goto(f"/street/{places['town']}")
    await expect(resident.locator(f"#p{pid}")).to_contain_text("施工前请居民代表一起看现场")
    await expect(resident.locator(f"#p{pid} .state")).to_have_text("已销账")
    await resident.screenshot(path=str(SHOTS / "e2e-street-public-360.png"), full_page=True)


async def test_monthly_review_pdf_renders_to_pages_with_the_chinese_title(open_page, tmp_path):
    places, pid, staff, _clerk = await _project_of_a_unit()
    page = await open_page()
    await login(page, staff.username)
    await page.goto(f"/review/town/{places['town']}")
    await expect(page.locator(f"#p{pid}")).to_contain_text("项目1")
    href = await page.get_by_role("link", name="月调度通报（PDF）").get_attribute("href")
    response = await page.request.get(href)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "review.pdf"
    pdf.write_bytes(await response.body())

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page*.png"))
    assert pages >= 2 and len(pngs) == pages  # the 通报 and its landscape project table
    first = Image.open(pngs[0])
    assert first.width < first.height  # A4 portrait, as GB/T 9704
    assert Image.open(pngs[-1]).width > Image.open(pngs[-1]).height  # the table attachment, landscape
    # Not a blank page: the masthead's red and the text's black are there.
    colours = {rgb for _n, rgb in first.convert("RGB").resize((120, 170)).getcolors(maxcolors=120 * 170)}
    assert any(r > 150 and g < 80 and b < 80 for r, g, b in colours)
    SHOTS.mkdir(exist_ok=True)
    for n, png in enumerate(pngs, start=1):
        Image.open(png).save(SHOTS / f"e2e-review-pdf-page{n}.png")
    text = pdf_text(pdf)
    assert "民生微事月调度通报" in text and "项目1" in text and "关于" in text
