"""Both PDFs read back with poppler: fonts embedded, text, GB/T 9704 page numbers and layout."""
import re
import subprocess

from tests.meetings import setup
from yishi.core import audit
from yishi.meetings import decisions, exports, meeting
from yishi.meetings.enums import Presence


def _poppler(tmp_path, data: bytes, name: str):
    path = tmp_path / name
    path.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return fonts, re.sub(r"\s+", "", text), info


def _fonts_ok(fonts: str) -> None:
    rows = fonts.splitlines()[2:]
    assert rows and all(re.search(r"\byes\s+yes\s+yes\s+\d+\s+\d+\s*$", r) for r in rows), fonts
    assert any("Noto-Serif-CJK-SC" in r for r in rows), fonts


def test_doc_prefix_drops_the_kind_of_town():
    assert (exports.doc_prefix("大弯街道"), exports.doc_prefix("弥牟镇"), exports.doc_prefix("X")) == (
        "大弯议", "弥牟议", "X议")


async def test_dossier_pdf_gbt9704(tmp_path):
    ctx = await setup.decide_meeting()
    await meeting.add_guest(ctx["meeting"], name="钱进", organisation="锦城物业", reason="", actor=ctx["convener"])
    await setup.vote_all(ctx, ctx["ids"][0])
    await setup.vote_all(ctx, ctx["ids"][1])
    await decisions.decide(ctx["meeting"], "同意实施项目1和项目2。", "", actor=ctx["convener"])
    filename, mime, data = await exports.intent_list_pdf(ctx["round"].id)
    assert mime == "application/pdf" and filename.endswith("2026年首批次-意愿清单.pdf")
    fonts, text, info = _poppler(tmp_path, data, "dossier.pdf")
    _fonts_ok(fonts)
    assert re.search(r"^Page size:.*\(A4\)$", info, re.M)
    pages = int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))
    assert pages >= 4  # body, then three attachments each on its own page
    for n in range(1, pages + 1):
        assert f"—{n}—" in text
    town = ctx["round"].town_name
    assert f"{town[:-2] if town.endswith('街道') else town}议〔2026〕1号" in text
    assert "附件1" in text and "附件2" in text and "附件3" in text
    assert "同意实施项目1和项目2。" in text
    assert "应到成员7人，实到7人，列席1人" in text
    assert "议事组召集人（签字）" in text and "数据指纹" in text
    head = await audit.head()  # the audit chain's head at printing time, in the fingerprint line
    assert f"审计日志链头#{head.entry_id}{head.short}" in re.sub(r"\s+", "", text)


async def test_dossier_without_meeting_still_builds(tmp_path):
    _places, convener, r, ids = await setup.counted_round()
    from yishi.meetings.tables import Decision
    await setup.decide_through_meeting(r, ids[:1], "同意。", actor=convener)
    # A decision recorded before meetings were required has no meeting: the dossier still builds.
    await Decision.update({Decision.meeting: None}).where(Decision.round == r.id)
    _name, _mime, data = await exports.intent_list_pdf(r.id)
    _fonts, text, _info = _poppler(tmp_path, data, "d.pdf")
    assert "线下会议" in text and "—1—" in text


async def test_minutes_pdf_has_attendance_lines_and_votes(tmp_path):
    ctx = await setup.decide_meeting(present=6)
    m = ctx["meeting"]
    await meeting.set_presence(m, ctx["members"][6], Presence.leave, actor=ctx["convener"])
    await meeting.add_guest(m, name="钱进", organisation="锦城物业", reason="", actor=ctx["convener"])
    agenda = await meeting.agenda_of(m.id)
    await meeting.save_notes(m, agenda[0]["id"], "共收回选票3张。", actor=ctx["convener"])
    await setup.vote_all(ctx, ctx["ids"][0])
    await meeting.close_minutes(m, actor=ctx["convener"])
    filename, _mime, data = await exports.minutes_pdf(m.id)
    assert filename.endswith("会议纪要.pdf")
    fonts, text, _info = _poppler(tmp_path, data, "minutes.pdf")
    _fonts_ok(fonts)
    assert "测试议事组会议纪要" in text and "第1期" in text
    assert "出席：成员1（镇（街道）党（工）委委员）" in text
    assert "请假：成员7" in text and "列席：钱进（锦城物业）" in text
    assert "一、通报群众勾选结果" in text and "共收回选票3张。" in text
    assert "草稿" not in text
    assert "—1—" in text


async def test_dossier_and_minutes_follow_the_councils_rules_on_categories(tmp_path):
    from yishi.meetings import records

    ctx = await setup.decide_meeting(present=4)  # no resident representative
    await records.set_rules(ctx["council"], quorum_share_pct=50, quorum_all_fixed=False, pass_share_pct=50)
    for item in ctx["ids"][:2]:
        await setup.vote_all(ctx, item)
    await decisions.decide(await meeting.get_meeting(ctx["meeting"].id), "同意项目1和项目2。", "",
                           actor=ctx["convener"])
    _n, _m, data = await exports.minutes_pdf(ctx["meeting"].id)
    _fonts, minutes, _info = _poppler(tmp_path, data, "m.pdf")
    _n, _m, data = await exports.intent_list_pdf(ctx["round"].id)
    _fonts, dossier, _info = _poppler(tmp_path, data, "d.pdf")
    for text in (minutes, dossier):
        assert "达到法定人数。" in text and "五类固定成员齐全" not in text


async def test_revised_dossier_names_both_meetings_and_the_return_minutes_keep_their_decisions(tmp_path):
    from tests import factories as f
    from yishi.accounts.enums import Role
    from yishi.meetings import desk
    from yishi.wishlists import services as wishlists

    ctx = await setup.decide_meeting()
    for item in ctx["ids"][:2]:
        await setup.vote_all(ctx, item)
    await decisions.decide(ctx["meeting"], "同意实施项目1和项目2。", "", actor=ctx["convener"])
    reviewer = await f.make_user(Role.district_reviewer, ctx["places"])
    v1 = await desk.submit(await wishlists.get_round(ctx["round"].id), "", actor=ctx["convener"])
    await desk.review(v1, approve=False, comment="请压缩费用。", item_comments={ctx["ids"][1]: "项目2费用偏高"},
                      actor=reviewer)
    revision = await setup.reconsider(ctx["round"], ctx["ids"][:1], "复议：同意实施项目1，项目2暂缓。",
                                      actor=ctx["convener"])

    _n, _m, data = await exports.intent_list_pdf(ctx["round"].id)
    fonts, text, info = _poppler(tmp_path, data, "revised.pdf")
    _fonts_ok(fonts)
    town = ctx["round"].town_name
    # A revised list is a new report: the next number; the replaced decision keeps the first.
    assert f"{town[:-2] if town.endswith('街道') else town}议〔2026〕2号" in text
    first = text.index("2026年3月12日，召开首批次民主议事会（民主议事定方向）")
    returned = text.index("区委社会工作部退回第1版意愿清单，意见为“请压缩费用”")
    again = text.index("召开复议会议（民主议事定方向·复议）")
    assert first < returned < again
    assert "复议会议应到成员7人，实到7人，列席0人" in text
    assert "复议：同意实施项目1，项目2暂缓。" in text and "同意实施项目1和项目2。" not in text
    pages = int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1))
    assert all(f"—{n}—" in text for n in range(1, pages + 1))

    _n, _m, data = await exports.minutes_pdf(ctx["meeting"].id)
    _fonts, minutes, _info = _poppler(tmp_path, data, "first.pdf")
    assert "会议决议" in minutes and "同意实施项目1和项目2。" in minutes and "复议会议" not in minutes
    _n, _m, data = await exports.minutes_pdf(revision)
    _fonts, minutes, _info = _poppler(tmp_path, data, "revision.pdf")
    assert "本次会议为复议会议。" in minutes and "对“项目2”的意见为“项目2费用偏高”" in minutes
    assert "复议：同意实施项目1，项目2暂缓。" in minutes
