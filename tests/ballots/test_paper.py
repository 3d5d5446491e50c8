"""Paper ballots: two entries by two people, conflicts for a supervisor, one code one ballot
across channels, reconciliation, the printable PDF."""
import re
import subprocess
from datetime import UTC

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.ballots import casting, lifecycle, paper, paper_pdf
from yishi.ballots.tables import Ballot, BallotChoice, BallotCode, PaperBallot
from yishi.core.errors import Conflict, DomainError, Forbidden, NotFound
from yishi.core.tables import AuditEntry
from yishi.wishlists import services as wishlists


async def _setup(max_ticks: int = 2):
    places = await f.make_places(2)
    r = await f.make_round(places, items=3, max_ticks=max_ticks)
    codes = await f.open_round(r, codes_per_community=2)
    a = await f.make_user(Role.collector, places)
    b = await f.make_user(Role.collector, places)
    return places, await wishlists.get_round(r.id), codes, await f.item_ids(r.id), a, b


async def _tally_rows():
    return sorted([r["item"] for r in await BallotChoice.select(BallotChoice.item)])


async def test_paper_two_matching_entries_count_one_ballot_without_code():
    _places, _r, codes, items, a, b = await _setup()
    first = await paper.enter(codes[0], [items[1], items[0]], actor=a)
    assert first.status == "pending"
    assert await Ballot.count() == 0
    second = await paper.enter(codes[0].lower(), [items[0], items[1]], actor=b)
    assert second.status == "counted"
    assert await _tally_rows() == sorted(items[:2])
    row = await PaperBallot.select(PaperBallot.status, PaperBallot.first_entry, PaperBallot.second_entry).first()
    assert row == {"status": "counted", "first_entry": "", "second_entry": ""}  # ticks erased
    code = await BallotCode.select(BallotCode.channel).where(BallotCode.code == codes[0]).first()
    assert code["channel"] == "paper"


async def test_paper_differing_entries_held_then_supervisor_picks_second():
    places, r, codes, items, a, b = await _setup()
    staff = await f.make_user(Role.street_staff, places)
    await paper.enter(codes[0], [items[0]], actor=a)
    assert (await paper.enter(codes[0], [items[1]], actor=b)).status == "conflict"
    (held,) = await paper.held(r.id)
    assert (held.first, held.second, held.differing) == ([items[0]], [items[1]], {items[0], items[1]})
    # Ending the ticking ends the casting only: the round is not counted while a ballot is held.
    assert await lifecycle.close_voting(r, actor=staff) is False
    with pytest.raises(Conflict):
        await lifecycle.confirm_count(r, actor=staff)
    assert (await wishlists.get_round(r.id)).status.value == "voting"
    assert await paper.resolve(r.id, held.id, "second", actor=staff) == "counted"
    assert await _tally_rows() == [items[1]]
    assert await paper.held(r.id) == []
    with pytest.raises(Conflict):
        await paper.resolve(r.id, held.id, "first", actor=staff)
    await lifecycle.confirm_count(r, actor=staff)
    assert (await wishlists.get_round(r.id)).status.value == "counted"


async def test_paper_same_collector_twice_refused():
    _places, _r, codes, items, a, _b = await _setup()
    await paper.enter(codes[0], [items[0]], actor=a)
    with pytest.raises(Conflict) as exc:
        await paper.enter(codes[0], [items[0]], actor=a)
    assert exc.value.message == "您已经录入过这张选票。第二遍须由另一位收集员录入，以便核对。"


async def test_paper_entry_for_online_used_code_refused():
    _places, _r, codes, items, a, _b = await _setup()
    await casting.cast_ballot(codes[0], [items[0]])
    with pytest.raises(Conflict) as exc:
        await paper.enter(codes[0], [items[1]], actor=a)
    assert "已经在网上投过票" in exc.value.message
    assert await PaperBallot.count() == 0
    assert await Ballot.count() == 1


async def test_online_cast_after_paper_entry_refused():
    _places, _r, codes, items, a, _b = await _setup()
    await paper.enter(codes[0], [items[0]], actor=a)
    with pytest.raises(Conflict) as exc:
        await casting.cast_ballot(codes[0], [items[1]])
    assert exc.value.message == "这个选票码已经使用过了。每个选票码只能投一次。"
    assert await Ballot.count() == 0


async def test_paper_wrong_community_collector_forbidden():
    _places, _r, codes, items, a, _b = await _setup()
    other = codes[2]  # the second community's first code; collectors belong to the first
    with pytest.raises(Forbidden):
        await paper.enter(other, [items[0]], actor=a)
    assert await PaperBallot.count() == 0


@pytest.mark.parametrize("ticks, message", [
    (lambda items: items, "最多只能勾选 2 项"),
    (lambda items: [], "请至少勾选一项。"),
    (lambda items: [items[0], 999999], "提交的项目不在本次清单上"),
])
async def test_paper_bad_ticks_refused_nothing_saved(ticks, message):
    _places, _r, codes, items, a, _b = await _setup()
    with pytest.raises(DomainError) as exc:
        await paper.enter(codes[0], ticks(items), actor=a)
    assert message in exc.value.message
    assert await PaperBallot.count() == 0
    assert (await BallotCode.select(BallotCode.used_at).where(BallotCode.code == codes[0]).first())["used_at"] is None


async def test_paper_spoiled_twice_is_spoiled_and_reconciled():
    places, r, codes, items, a, b = await _setup()
    await paper.enter(codes[0], [], spoiled=True, actor=a)
    assert (await paper.enter(codes[0], [], spoiled=True, actor=b)).status == "spoiled"
    await paper.enter(codes[1], [items[0]], actor=a)
    await casting.cast_ballot(codes[2], [items[2]])
    recon = await paper.reconciliation(r.id)
    assert recon["communities"][0] | {} == {"id": places["communities"][0], "name": "第1社区", "issued": 2,
                                            "online": 0, "returned": 2, "pending": 1, "counted": 0,
                                            "conflict": 0, "spoiled": 1}
    assert recon["total"] == {"issued": 4, "online": 1, "returned": 2, "pending": 1, "counted": 0,
                              "conflict": 0, "spoiled": 1}


async def test_paper_unknown_code_and_closed_round_refused():
    _places, r, codes, items, a, _b = await _setup()
    with pytest.raises(NotFound):
        await paper.enter("ACDEFGHJ" if "ACDEFGHJ" not in codes else "ACDEFGHK", [items[0]], actor=a)
    await lifecycle.close_voting(r, actor=None)
    with pytest.raises(Conflict) as exc:
        await paper.enter(codes[0], [items[0]], actor=a)
    assert exc.value.message == "本批次不在勾选中，不能录入纸质选票。"


async def test_paper_entries_audited_without_ticks():
    _places, _r, codes, items, a, _b = await _setup()
    await paper.enter(codes[0], [items[0]], actor=a)
    (entry,) = await AuditEntry.select(AuditEntry.action, AuditEntry.data).where(
        AuditEntry.action == "ballot.paper.entered").output(load_json=True)
    assert entry["data"] == {"code": codes[0], "result": "pending"}


async def test_paper_pdf_has_codes_fonts_and_qr_to_ballot_url(tmp_path):
    _places, r, codes, _items, _a, _b = await _setup()
    name, mime, data = await paper_pdf.paper_ballots_pdf(r.id, base_url="http://yishi.example", size="A5")
    assert mime == "application/pdf"
    pdf = tmp_path / name
    pdf.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Noto-Sans-CJK-SC\s.*yes yes yes", fonts)
    assert_all_fonts_embedded(fonts)
    # The code's own font: Noto Sans Mono CJK SC Bold, embedded as a subset (not Helvetica).
    assert re.search(r"YISHIC\+NotoSansMonoCJKsc-Bold\s+TrueType\s+WinAnsi\s+yes yes yes", fonts)
    assert "Helvetica" not in fonts
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count("群众勾选票") == 4
    from yishi.ballots.codes import display
    assert all(display(c) in text for c in codes)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p-*.png"))
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True).stdout.strip()
    page1 = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
    code = next(c for c in codes if display(c) in page1)
    assert decoded == f"http://yishi.example/v/{code}"


def _pages_words(pdf) -> list[list[tuple[str, float, float, float, float]]]:
    """pdftotext -bbox: per page, its words as (text, xMin, yMin, xMax, yMax) in points from the
    page's top-left corner."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
    return [[(m[4], *map(float, m[:4])) for m in word.findall(page)] for page in out.split("<page ")[1:]]


async def test_paper_pdf_each_page_stamps_its_own_code_and_qr_in_their_slots(tmp_path):
    """The stamping after WeasyPrint's layout (paper_pdf._stamp, in its flipped page space): every
    page carries one code, its community's, in the slot below the heading, and the QR in the
    top-right corner reads that very code's address. A WeasyPrint that lays pages or coordinates
    out otherwise fails here, so pyproject's bound moves only with this test passing."""
    from yishi.ballots.codes import display

    _places, r, codes, _items, _a, _b = await _setup()
    community_of = {row["code"]: row["community"] for row in await BallotCode.select(
        BallotCode.code, BallotCode.community.name.as_alias("community")).where(BallotCode.round == r.id)}
    name, _mime, data = await paper_pdf.paper_ballots_pdf(r.id, base_url="http://yishi.example", size="A5")
    pdf = tmp_path / name
    pdf.write_bytes(data)
    geo, mm = paper_pdf.GEOMETRY["A5"], paper_pdf.PT
    by_display = {display(c): c for c in codes}
    pages = _pages_words(pdf)
    assert len(pages) == len(codes) == 4
    printed = []
    for number, words in enumerate(pages, start=1):
        stamped = [w for w in words if w[0] in by_display]
        assert len(stamped) == 1, f"page {number}: {stamped}"
        text, x_min, y_min, _x_max, y_max = stamped[0]
        code = by_display[text]
        printed.append(code)
        assert community_of[code] in "".join(w[0] for w in words)  # the page laid out for its community
        # The code in the slot the template leaves under “选票码”, at the left margin.
        assert abs(x_min - geo["side"] * mm) < 1 * mm
        slot_top = (geo["top"] + geo["head"] - geo["code_h"] - 1) * mm
        assert slot_top < (y_min + y_max) / 2 < slot_top + geo["code_h"] * mm, (y_min / mm, y_max / mm)
        # The QR alone, cut from the page where the template left its slot, decodes to the code's page.
        dpi = 150
        left, top, side = (round(v * dpi / 25.4) for v in (geo["w"] - geo["side"] - geo["qr"] - 1, geo["top"] - 1,
                                                             geo["qr"] + 2))
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", str(number), "-l", str(number),
                        "-x", str(left), "-y", str(top), "-W", str(side), "-H", str(side),
                        str(pdf), str(tmp_path / f"qr{number}")], check=True)
        decoded = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / f"qr{number}.png")],
                                 capture_output=True, text=True).stdout.strip()
        assert decoded == f"http://yishi.example/v/{code}", f"page {number}"
    assert sorted(printed) == sorted(codes)


def assert_all_fonts_embedded(pdffonts_output: str) -> None:
    """Every font row of `pdffonts` says emb=yes (a reader without the font would substitute)."""
    header, _rule, *rows = pdffonts_output.splitlines()
    emb = header.index("emb")
    assert rows, "no fonts"
    for row in rows:
        assert row[emb:emb + 3] == "yes", f"font not embedded: {row}"


async def test_paper_pdf_a4_every_font_embedded_and_hand_in_deadline_printed(tmp_path):
    from datetime import datetime

    from yishi.ballots import round_settings as rs
    from yishi.ballots.codes import display

    places = await f.make_places(1)
    r = await f.make_round(places, items=22, max_ticks=5)  # too many for one column: printed in two
    closes = datetime(2030, 12, 1, 12, 0, tzinfo=UTC)
    await rs.save(r, opens_at=None, closes_at=closes, voter_unit="household",
                  communities=places["communities"], actor=None)
    codes = await f.open_round(r, codes_per_community=3)
    name, _mime, data = await paper_pdf.paper_ballots_pdf(r.id, base_url="http://yishi.example", size="A4")
    pdf = tmp_path / name
    pdf.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert_all_fonts_embedded(fonts)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert all(display(c) in text for c in codes)
    # Printed in China time: 2030-12-01 20:00.
    assert text.count("请在 2030-12-01 20:00 前交回，截止后交回的不计入。") == 3


async def test_paper_pdf_long_titles_fall_back_to_two_columns_one_page_per_code(tmp_path):
    """16 items fit one column when short; long titles wrap and would spill onto a second page."""
    from pypdf import PdfReader

    from yishi.wishlists.tables import WishItem

    places = await f.make_places(1)
    r = await f.make_round(places, items=16, max_ticks=5)
    for item in await wishlists.items_of(r.id):
        await WishItem.update({WishItem.title: item["title"] + "：" + "老旧小区加装电梯与无障碍通道改造" * 2}).where(
            WishItem.id == item["id"])
    codes = await f.open_round(r, codes_per_community=2)
    name, _mime, data = await paper_pdf.paper_ballots_pdf(r.id, base_url="http://x", size="A4")
    (tmp_path / name).write_bytes(data)
    assert len(PdfReader(tmp_path / name).pages) == len(codes) == 2


def test_code_font_holds_every_code_character_and_is_small():
    import io

    from fontTools.ttLib import TTFont

    font = paper_pdf.code_font()
    ttf = TTFont(io.BytesIO(font.data))
    assert set(paper_pdf.CODE_CHARS) <= {chr(c) for c in ttf.getBestCmap()}
    assert set(font.widths.values()) == {500}  # monospaced: a code reads character by character
    assert len(font.data) < 20_000


async def test_paper_pdf_after_close_refused():
    _places, r, _codes, _items, _a, _b = await _setup()
    await lifecycle.close_voting(r, actor=None)
    with pytest.raises(Conflict):
        await paper_pdf.paper_ballots_pdf(r.id, base_url="http://x")


async def test_missing_code_font_is_a_chinese_503_and_marks_nothing(monkeypatch):
    from yishi.ballots import round_settings

    places = await f.make_places()
    r = await f.make_round(places, items=2)
    await f.open_round(r, codes_per_community=1)
    monkeypatch.setattr(paper_pdf, "CODE_FAMILIES", ("不存在的字体",))
    paper_pdf.code_font.cache_clear()
    try:
        with pytest.raises(DomainError) as caught:
            await paper_pdf.paper_ballots_pdf(r.id, base_url="http://x", size="A5")
    finally:
        paper_pdf.code_font.cache_clear()
    assert caught.value.status_code == 503
    assert caught.value.message == ("服务器缺少中文粗体字体（Noto CJK），暂时无法生成纸质选票。"
                                    "请管理员安装 fonts-noto-cjk 后再试。")
    assert (await round_settings.get(r.id)).uses_paper is False
