"""民情热度表 pages and files: the street's table with its warning, the district's view and rule,
the landing page's warning, 周汇总/月分析/专题报告 as Excel and as PDF (read back with poppler)."""
import io
import re
import shutil
import subprocess
from datetime import timedelta
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.core import dates
from yishi.pulse import rules, settings
from yishi.suggestions import catalog


async def _spread(places, actor, plan):
    today = dates.today()
    for ago, ci, category, spot, n in plan:
        for _i in range(n):
            await f.make_suggestion(places, community_index=ci, category=category, spot=spot, actor=actor,
                                    received_on=today - timedelta(days=ago), content=f"{category}方面的问题，请处理。")


WARNING_PLAN = [(40, 1, "教育", "", 1), (20, 0, "养老", "锦城花园", 1), (1, 0, "养老", "锦城花园", 6),
                (2, 1, "教育", "菜市场门口", 2)]


async def test_street_table_shows_weeks_warning_and_rule(client):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    await _spread(places, staff, WARNING_PLAN)
    await f.login(client, staff.username)
    r = await client.get("/suggestions/pulse/")
    assert r.status_code in (302, 303) and r.headers["location"] == f"/suggestions/pulse/town/{places['town']}"
    page = await client.get(r.headers["location"])
    assert page.status_code == 200
    warnings = page.text.split('id="warnings"')[1].split("</section>")[0]
    assert '<span translate="no">第1社区</span> · 养老' in warnings
    assert "近7天 6 件" in warnings and "教育" not in warnings.split("预警规则")[0]
    assert "前 8 周每周件数中位数的 3 倍，且不少于 5 件时预警" in warnings
    table = page.text.split('id="heat-table"')[1].split("</table>")[0]
    assert '<span class="warn-tag">预警</span>' in table
    assert re.search(r'class="table-scroll heat-scroll" tabindex="0" role="region"', page.text)
    tops = page.text.split('id="top-places"')[1].split("</table>")[0]
    assert "锦城花园" in tops and "菜市场门口" in tops
    one = await client.get(f"/suggestions/pulse/town/{places['town']}?community={places['communities'][0]}")
    one_table = one.text.split('id="heat-table"')[1].split("</table>")[0]
    assert "锦城花园" in one_table
    # The community's 7 cases by category, then the same 7 by 点位: each heading counts 7, not 14.
    assert re.findall(r'<span class="muted">(\d+) 件</span>', one_table) == ["7", "7"]
    assert ">点位</span>" in one_table


async def test_street_landing_page_carries_the_warning(client):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    await f.login(client, staff.username)
    quiet = await client.get("/rounds")
    assert 'id="pulse-warnings"' not in quiet.text
    await _spread(places, staff, WARNING_PLAN)
    page = await client.get("/rounds")
    box = page.text.split('id="pulse-warnings"')[1].split("</section>")[0]
    assert "民情预警（1）" in box and '<span translate="no">第1社区</span> · 养老' in box
    assert f'/suggestions/pulse/town/{places["town"]}' in box


async def test_bad_parameters_answer_4xx_in_chinese(client):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    other = await f.make_places()
    await f.login(client, staff.username)
    base = f"/suggestions/pulse/town/{places['town']}"
    for query, status, words in [("?weeks=9", 400, "周数只能是 8、12 或 26"),
                                 ("?end=2099-01-01", 400, "截至日期不能晚于今天"), ("?end=abc", 400, "截至日期"),
                                 ("?month=2026-13", 400, "月份格式应为 2026-11"),
                                 (f"?community={other['communities'][0]}", 404, "本镇（街道）没有这个社区")]:
        r = await client.get(base + query)
        assert r.status_code == status and words in r.text, query
    assert (await client.get(base + "/files/weekly.doc")).status_code == 404
    assert (await client.get(base + "/topic")).status_code == 400
    assert (await client.get(f"/suggestions/pulse/town/{other['town']}")).status_code == 403


async def test_district_view_across_streets_and_its_rule(client):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    reviewer = await f.make_user(Role.district_reviewer, places)
    await _spread(places, staff, [(40, 0, "养老", "", 1), (1, 0, "养老", "", 3)])
    token = await f.login(client, reviewer.username)
    page = await client.get(f"/suggestions/pulse/district/{places['district']}")
    assert page.status_code == 200 and 'id="no-warnings"' in page.text
    assert f'/suggestions/pulse/town/{places["town"]}' in page.text
    r = await client.post(f"/suggestions/pulse/district/{places['district']}/rule",
                          data={"_csrf_token": token, "factor": "abc", "min_count": "3", "weeks": "8"})
    assert r.status_code == 400 and "预警倍数应为数字" in r.text and 'value="abc"' in r.text
    r = await client.post(f"/suggestions/pulse/district/{places['district']}/rule",
                          data={"_csrf_token": token, "factor": "2.5", "min_count": "3", "weeks": "8"})
    assert r.status_code in (302, 303)
    assert await settings.of_district(places["district"]) == rules.WarningRule(2.5, 3, 8)
    page = await client.get(f"/suggestions/pulse/district/{places['district']}")
    assert "测试街道" in page.text.split('id="warnings"')[1].split("</section>")[0]
    assert "2.5 倍" in page.text


async def test_weekly_and_monthly_excel(client):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    await _spread(places, staff, WARNING_PLAN)
    await f.login(client, staff.username)
    base = f"/suggestions/pulse/town/{places['town']}/files"
    # The plan's six 养老 cases came in yesterday: their week and month, which are not today's on
    # a Monday (in China) or on the 1st.
    yesterday = dates.today() - timedelta(days=1)
    r = await client.get(base + f"/monthly.xlsx?month={yesterday:%Y-%m}")
    assert r.status_code == 200 and "民情月分析" in unquote(r.headers["content-disposition"])
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames[:5] == ["概况", "类别", "社区（村）", "高频点位", "预警"]
    warned = [row for row in book["预警"].iter_rows(values_only=True)][1:]
    assert [(w[1], w[2], w[3]) for w in warned] == [("第1社区", "养老", 6)]
    r = await client.get(base + f"/weekly.xlsx?week={rules.week_of(yesterday)}")
    assert r.status_code == 200
    cats = {row[0]: row[1] for row in load_workbook(io.BytesIO(r.content))["类别"].iter_rows(values_only=True)}
    assert cats["养老"] >= 6


def _pdf_text(data: bytes, tmp_path) -> tuple[str, str]:
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return fonts, text


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed")
async def test_monthly_and_topic_pdf_embed_cjk_and_read_back_in_chinese(client, tmp_path):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    await _spread(places, staff, WARNING_PLAN)
    await f.login(client, staff.username)
    base = f"/suggestions/pulse/town/{places['town']}"
    month = f"{dates.today() - timedelta(days=1):%Y-%m}"  # the plan's six came in yesterday
    r = await client.get(base + f"/files/monthly.pdf?month={month}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    fonts, text = _pdf_text(r.content, tmp_path)
    assert "Noto-Serif-CJK-SC" in fonts and "Noto-Sans-CJK-SC" in fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # every font embedded
    flat = re.sub(r"\s+", "", text)
    assert "民情月分析" in flat and "第1社区“养老”类建议" in flat and "达到预警线" in flat
    cats = {c["name"]: c["id"] for c in await catalog.categories()}
    page = await client.get(base + f"/topic?category={cats['养老']}&month={month}")
    assert page.status_code == 200 and "专题报告" in page.text and "（未定牵头单位）" in page.text
    r = await client.get(base + f"/files/topic.pdf?category={cats['养老']}&month={month}")
    fonts, text = _pdf_text(r.content, tmp_path)
    flat = re.sub(r"\s+", "", text)
    assert "关于“养老”类居民建议的专题报告" in flat and "锦城花园" in flat and "解决率" in flat
