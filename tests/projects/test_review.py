"""月调度 rows per street and district, the public view, the /t/CODE lookup, and the exports."""
import io
import shutil
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.core.errors import NotFound
from yishi.projects import exports, public, reports, review, services
from yishi.projects.enums import Colour, FundingSource, ProjectState
from yishi.projects.plan import FundingInput
from yishi.projects.reports import ReportInput
from yishi.projects.tables import Project
from yishi.wishlists import sources

FUNDING = [FundingInput(FundingSource.public, "", 10000_00),
           FundingInput(FundingSource.enterprise, "锦城物业", 5000_00)]


async def street_with_projects():
    """Town A: one project underway since 2 Nov with two reports and a problem, one still planned.
    Town B of the same district: one project written off."""
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    _p, (late, planned) = await f.make_projects(places, lead_units=["区住建局"])
    await f.start_project(late, staff, funding=FUNDING)
    await Project.update({Project.started_on: date(2026, 11, 2)}).where(Project.id == late)
    for monday in (date(2026, 11, 2), date(2026, 11, 9)):
        await reports.file_report(late, ReportInput(30, "施工", "继续施工", 4000_00, ("需协调停水",)), actor=staff,
                                  week_of=monday)
    await reports.issue_directive(late, text="加快进度", assignee="", due=date(2026, 12, 15), actor=staff,
                                  month="2026-12")
    other = {**places, "town": (await f.make_places())["town"]}
    from yishi.places.tables import Town
    await Town.update({Town.district: places["district"]}).where(Town.id == other["town"])
    other_staff = await f.make_user(Role.street_staff, other)
    _o, (done, _x) = await f.make_projects(other)
    await f.start_project(done, other_staff, funding=[FundingInput(FundingSource.public, "", 2000_00)])
    await services.file_completion(done, "已完工", 1800_00, actor=other_staff)
    await services.write_off(done, good="群众全程参与", lessons="", actor=other_staff)
    return places, other, late, planned, done


async def test_monthly_review_street_rows_worst_first():
    places, _other, late, planned, _done = await street_with_projects()
    r = await review.monthly_review(town_id=places["town"], month="2026-12", today=date(2026, 12, 1))
    assert [(row.project["id"], row.supervision.colour) for row in r.rows] == [
        (late, Colour.red), (planned, Colour.none)]
    first = r.rows[0]
    assert first.supervision.reasons == ("节点“招标完成”已逾期 7 个工作日",
                                         "缺 2 期周报（11月16日—11月22日、11月23日—11月29日）")
    assert (first.missing_reports, [i["text"] for i in first.open_problems], [d["text"] for d in first.directives]) == (
        2, ["需协调停水", "需协调停水"], ["加快进度"])
    assert (first.public_fen, first.social_fen, first.project["spent_fen"]) == (10000_00, 5000_00, 4000_00)
    t = r.totals
    assert (t.projects, t.cost_fen, t.public_fen, t.social_fen, t.leverage, t.open_problems) == (
        2, 30000_00, 10000_00, 5000_00, 0.5, 2)


async def test_monthly_review_district_covers_both_streets():
    places, _other, late, planned, done = await street_with_projects()
    r = await review.monthly_review(district_id=places["district"], month="2026-12", today=date(2026, 12, 1))
    assert sorted(row.project["id"] for row in r.rows) == sorted([late, planned, done, done + 1])
    assert [(name, t.projects) for name, t in r.streets] == sorted(
        [(r.rows[0].project["town_name"], 2),
         (next(x.project["town_name"] for x in r.rows if x.project["id"] == done), 2)])
    assert r.totals.states[ProjectState.written_off] == 1 and r.totals.leverage == 0.42


async def test_monthly_review_bad_month_refused():
    places = await f.make_places()
    with pytest.raises(Exception) as info:
        await review.monthly_review(town_id=places["town"], month="2026-13")
    assert info.value.message == "月份应写成 2026-12 这样的格式。"


async def test_public_street_list_has_no_personal_data():
    places, _other, late, planned, _done = await street_with_projects()
    await services.assign(late, lead_unit_id=None, implementer_id=None, responsible_name="张责任",
                          responsible_phone="13800001111", actor=None)
    rows = await public.street_projects(places["town"])
    assert [(r["id"], r["state_label"], r["progress_pct"], r["lead_unit_display"], r["leverage"]) for r in rows] == [
        (late, "实施中", 30, "区住建局", 0.5), (planned, "待制定方案", 0, "", None)]
    text = repr(rows)
    assert "张责任" not in text and "13800001111" not in text and "需协调停水" not in text


async def test_public_written_off_shows_review():
    _places, _other, _late, _planned, done = await street_with_projects()
    row = await public.public_project(done)
    assert (row["state"], row["review_good"], row["spent_fen"]) == (ProjectState.written_off, "群众全程参与", 1800_00)


async def test_projects_for_code_follows_suggestion_to_project():
    places, (pid, _other) = await f.make_projects()
    receipt = await f.make_suggestion(places)
    p = await services.get_project(pid)
    await sources.link_to_item([receipt.id], item_id=p["item"], actor=await f.make_user(Role.street_staff, places))
    assert [(r["id"], r["title"]) for r in await public.projects_for_code(receipt.tracking_code)] == [(pid, "项目1")]
    other = await f.make_suggestion(places, content="另一条建议，还没有纳入清单。")
    assert await public.projects_for_code(other.tracking_code) == []
    with pytest.raises(NotFound):
        await public.projects_for_code("ZZZZZZZZ")


async def test_monthly_review_xlsx_rows_and_colours():
    places, *_rest = await street_with_projects()
    r = await review.monthly_review(town_id=places["town"], month="2026-12", today=date(2026, 12, 1))
    name, mime, data = await exports.monthly_review_xlsx(r)
    assert (name, mime) == (f"{r.title}-2026-12-月调度.xlsx", exports.XLSX)
    ws = load_workbook(io.BytesIO(data))["项目一览"]
    assert [c.value for c in ws[4]][:10] == [1, r.title, "项目1", "区住建局", None, "实施中", "红色督办",
                                             r.rows[0].supervision.reason, 30, 10000]
    assert ws.cell(row=4, column=7).fill.fgColor.rgb == "00F4CCCC"


def test_doc_prefix_street_and_district():
    assert (exports.doc_prefix("大弯街道"), exports.doc_prefix("成都市青白江区"), exports.doc_prefix("弥牟镇")) == (
        "大弯调", "青白江调", "弥牟调")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
async def test_monthly_review_pdf_embeds_cjk_and_reads_back(tmp_path):
    places, *_rest = await street_with_projects()
    r = await review.monthly_review(town_id=places["town"], month="2026-12", today=date(2026, 12, 1))
    name, mime, data = await exports.monthly_review_pdf(r)
    assert (name, mime, data[:5]) == (f"{r.title}-2026-12-月调度通报.pdf", "application/pdf", b"%PDF-")
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    assert any("Noto-Serif-CJK-SC" in row[0] for row in rows)
    assert all(row[-5] == "yes" for row in rows)  # every font embedded
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.replace(" ", "")
    for words in ("民生微事月调度通报", "关于2026年12月民生微事办理情况的通报", "调〔2026〕12号", "红色督办",
                  "缺2期周报", "需协调停水", "加快进度", "民生微事项目办理情况一览表"):
        assert words in text, words
