"""The decision and the intent-list PDF through HTTP."""
import re
import subprocess
from urllib.parse import quote

import pytest

from tests import factories as f
from tests.meetings import setup
from yishi.accounts.enums import Role
from yishi.ballots import casting as ballots
from yishi.ballots import lifecycle
from yishi.meetings import records
from yishi.meetings.enums import MemberCategory
from yishi.meetings.tables import Decision, DecisionItem
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus

ONLY_CONVENER = "只有本镇（街道）议事组召集人可以记录议事决定。"
FORBIDDEN = "您没有权限查看或操作此页面。"


async def _counted(items: int = 3):
    places = await f.make_places()
    convener = await f.make_user(Role.convener, places)
    await f.make_council(places)
    r = await f.make_round(places, items=items, max_ticks=0, title="2026年首批次")
    codes = await f.open_round(r, codes_per_community=2)
    ids = await f.item_ids(r.id)
    await ballots.cast_ballot(codes[0], ids)
    await ballots.cast_ballot(codes[2], ids[:1])
    await lifecycle.close_voting(await wishlists.get_round(r.id), actor=convener)
    return places, convener, await wishlists.get_round(r.id), ids


async def _decided(items: int = 3):
    places, convener, r, ids = await _counted(items)
    await setup.decide_through_meeting(r, [ids[0], ids[2]], "经民情协商“5+X”组民主议事，同意实施项目1和项目3。",
                                       actor=convener)
    return places, convener, r, ids


async def _nothing_decided(round_id: int) -> None:
    assert await Decision.count() == 0
    assert await DecisionItem.count() == 0
    assert (await wishlists.get_round(round_id)).status is RoundStatus.counted


def _normalised(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- the decision: only from a quorate meeting --------------------------------------------

NOT_FROM_MEETING = "议事决定只能在达到法定人数的“民主议事定方向”会议上逐项表决形成。"


async def test_direct_decision_form_refused_409_nothing_saved(client):
    _places, convener, r, ids = await _counted()
    token = await f.login(client, convener.username)
    response = await client.post(f"/rounds/{r.id}/decision", data={
        "_csrf_token": token, "approved": [str(ids[0]), str(ids[1])], "resolution": "同意实施。"})
    assert response.status_code == 409
    assert NOT_FROM_MEETING in response.text
    await _nothing_decided(r.id)


async def test_direct_decision_form_refused_even_with_a_quorate_meeting_open(client):
    _places, convener, r, ids = await _counted()
    await setup.quorate_meeting(r, convener)
    token = await f.login(client, convener.username)
    response = await client.post(f"/rounds/{r.id}/decision", data={
        "_csrf_token": token, "approved": [str(ids[0])], "resolution": "同意。"})
    assert response.status_code == 409
    await _nothing_decided(r.id)


@pytest.mark.parametrize("role", [Role.member, Role.street_staff, Role.collector, Role.district_reviewer])
async def test_record_decision_by_other_roles_403(client, role):
    places, _convener, r, ids = await _counted()
    user = await f.make_user(role, places)
    token = await f.login(client, user.username)
    response = await client.post(f"/rounds/{r.id}/decision", data={
        "_csrf_token": token, "approved": [str(ids[0])], "resolution": "同意。"})
    assert response.status_code == 403
    assert ONLY_CONVENER in response.text
    await _nothing_decided(r.id)


async def test_direct_decision_after_decision_409_decision_unchanged(client):
    _places, convener, r, ids = await _decided()
    token = await f.login(client, convener.username)
    response = await client.post(f"/rounds/{r.id}/decision", data={
        "_csrf_token": token, "approved": [str(ids[1])], "resolution": "改为同意项目2。"})
    assert response.status_code == 409
    assert (await records.decision_of(r.id))["approved"] == {ids[0], ids[2]}


async def test_counted_round_page_leads_convener_to_a_decision_meeting_not_a_form(client):
    _places, convener, r, _ids = await _counted()
    token = await f.login(client, convener.username)
    page = await client.get(f"/rounds/{r.id}")
    assert page.status_code == 200
    assert 'id="decision-form"' not in page.text and f'action="/rounds/{r.id}/decision"' not in page.text
    assert 'id="decide-meeting-form"' in page.text and "安排民主议事会议" in page.text
    assert f'name="round" value="{r.id}"' in page.text and 'name="step" value="decide"' in page.text

    response = await client.post("/meetings/", data={"_csrf_token": token, "step": "decide", "round": str(r.id),
                                                     "title": "2026年首批次民主议事会", "held_at": "2026-03-12T14:30",
                                                     "place": "党群服务中心"})
    assert response.status_code in (302, 303)
    meeting_url = response.headers["location"]
    page = await client.get(f"/rounds/{r.id}")
    assert 'id="decide-meeting-form"' not in page.text
    assert f'href="{meeting_url}"' in page.text and "筹备中" in page.text
    assert "未达到法定人数" in page.text  # nobody signed in yet


async def test_meeting_time_typed_wrong_is_a_400_in_chinese_not_a_500(client):
    _places, convener, r, _ids = await _counted()
    token = await f.login(client, convener.username)
    for held_at, message in [("0001-01-01T00:00", "会议时间的年份应在 1970 到 2099 之间。"),
                             ("明天下午", "会议时间的格式不对，请按“年-月-日 时:分”填写。"),
                             ("", "请填写会议时间，例如 2026-03-12 14:30。")]:
        response = await client.post("/meetings/", data={
            "_csrf_token": token, "step": "decide", "round": str(r.id), "title": "民主议事会", "held_at": held_at,
            "place": "党群服务中心"})
        assert response.status_code == 400 and message in response.text, held_at


async def test_counted_round_page_shows_quorate_meeting_state(client):
    _places, convener, r, _ids = await _counted()
    await setup.quorate_meeting(r, convener)
    await f.login(client, convener.username)
    page = await client.get(f"/rounds/{r.id}")
    assert "会议进行中" in page.text
    assert "已达到法定人数：应到 6 人，实到 6 人（需至少 4 人），五类固定成员齐全。" in page.text


async def test_counted_round_page_for_staff_shows_no_create_form(client):
    places, _convener, r, _ids = await _counted()
    staff = await f.make_user(Role.street_staff, places)
    await f.login(client, staff.username)
    page = await client.get(f"/rounds/{r.id}")
    assert 'id="decide-meeting-form"' not in page.text
    assert "等待议事组召集人安排“民主议事定方向”会议。" in page.text


async def test_counted_round_page_without_council_says_so(client):
    places = await f.make_places()
    convener = await f.make_user(Role.convener, places)
    r = await f.make_round(places, items=1, max_ticks=0)
    await f.open_round(r, codes_per_community=1)
    await lifecycle.close_voting(await wishlists.get_round(r.id), actor=convener)
    await f.login(client, convener.username)
    page = await client.get(f"/rounds/{r.id}")
    assert "本镇（街道）还没有设立民情协商“5+X”组" in page.text
    assert 'id="decide-meeting-form"' not in page.text


# --- the intent-list PDF -----------------------------------------------------------------

async def test_intent_list_pdf_for_convener_is_chinese_a4_with_embedded_font(client, tmp_path):
    _places, convener, r, _ids = await _decided()
    await f.login(client, convener.username)
    response = await client.get(f"/rounds/{r.id}/intent-list.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    filename = f"{r.town_name}-2026年首批次-意愿清单.pdf"
    assert response.headers["content-disposition"] == f"inline; filename*=UTF-8''{quote(filename)}"
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "intent.pdf"
    pdf.write_bytes(response.content)

    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if re.search(r"Noto-?(Serif|Sans)-?CJK", line)]
    assert cjk, fonts
    # Columns end with: emb sub uni object-number generation.
    assert all(re.search(r"\byes\s+yes\s+yes\s+\d+\s+\d+\s*$", line) for line in cjk), fonts

    text = _normalised(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                      check=True).stdout)
    assert "民生微事意愿清单" in text
    assert r.town_name in text
    # 版记 (GB/T 9704): 抄送 and the issuing office with the date, after the last attachment.
    assert text.index("抄送：") > text.index("附件3") and f"{r.town_name}党（工）委" in text and "印发" in text
    assert "项目1" in text
    assert "项目3" in text
    assert "同意实施项目1和项目3。" in text
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))
    assert re.search(r"^Page size:.*\(A4\)$", info, re.M), info
    # Every page is numbered: "第 1 页 共 N 页", or "— 1 —" in the GB/T 9704 layout.
    for n in range(1, pages + 1):
        assert f"第{n}页共{pages}页" in text or f"—{n}—" in text, (n, pages)


async def test_intent_list_pdf_for_reviewer_of_same_district(client):
    places, _convener, r, _ids = await _decided()
    reviewer = await f.make_user(Role.district_reviewer, places)
    await f.login(client, reviewer.username)
    response = await client.get(f"/rounds/{r.id}/intent-list.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


async def test_intent_list_pdf_for_reviewer_of_other_district_403(client):
    _places, _convener, r, _ids = await _decided()
    outsider = await f.make_user(Role.district_reviewer, await f.make_places())
    await f.login(client, outsider.username)
    response = await client.get(f"/rounds/{r.id}/intent-list.pdf")
    assert response.status_code == 403
    assert FORBIDDEN in response.text
    assert not response.content.startswith(b"%PDF")


@pytest.mark.parametrize("role", [Role.member, Role.collector])
async def test_intent_list_pdf_for_town_people_without_export_right_403(client, role):
    places, _convener, r, _ids = await _decided()
    user = await f.make_user(role, places)
    await f.login(client, user.username)
    response = await client.get(f"/rounds/{r.id}/intent-list.pdf")
    assert response.status_code == 403
    assert FORBIDDEN in response.text


async def test_intent_list_pdf_before_decision_409_in_chinese(client):
    _places, convener, r, _ids = await _counted()
    await f.login(client, convener.username)
    response = await client.get(f"/rounds/{r.id}/intent-list.pdf")
    assert response.status_code == 409
    assert "本批次尚未形成议事决定，还不能导出意愿清单。" in response.text
    assert not response.content.startswith(b"%PDF")


# --- the council page --------------------------------------------------------------------

async def test_council_page_names_missing_categories(client):
    places = await f.make_places()
    convener = await f.make_user(Role.convener, places)
    await f.make_council(places, categories=[MemberCategory.party, MemberCategory.x])
    await f.login(client, convener.username)
    page = await client.get("/council")
    assert page.status_code == 200
    for label in ("村（社区）工作者代表", "党员代表", "网格员代表", "村（居）民代表"):
        assert label in page.text


async def test_council_page_for_reviewer_without_town_403(client):
    places = await f.make_places()
    reviewer = await f.make_user(Role.district_reviewer, places)
    await f.login(client, reviewer.username)
    response = await client.get("/council")
    assert response.status_code == 403
    assert "您的账号没有所属镇（街道），无法查看议事组。" in response.text
