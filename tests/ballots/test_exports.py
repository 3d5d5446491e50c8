"""A round as an election, its exports (.pb, CSV, xlsx), import of a .pb, and the published result."""
import csv
import io
import logging
from fractions import Fraction

import pytest
from openpyxl import load_workbook

from tests import factories as f
from yishi.ballots import casting, exports, imports, lifecycle, results, rules
from yishi.ballots.tables import Ballot, BallotChoice, RoundResult
from yishi.core.errors import Conflict, DomainError
from yishi.core.tables import AuditEntry
from yishi.wishlists import services as wishlists
from yishi.wishlists.tables import Round, WishItem

PB = ("META\nkey;value\nbudget;1000.5\nvote_type;approval\ninstance;测试导入\nmax_length;2\n"
      "PROJECTS\nproject_id;cost;name\na;600;路灯\nb;400.25;座椅\nc;300;食堂\n"
      "VOTES\nvoter_id;vote\n1;a,b\n2;a\n3;b,c\n4;\n")


async def _closed_round():
    places = await f.make_places(2)
    r = await f.make_round(places, items=3, max_ticks=0, budget_yuan=35000)
    codes = await f.open_round(r, codes_per_community=2)
    items = await f.item_ids(r.id)
    # three ballots; the fourth code stays unused
    for code, ticks in zip(codes[:3], ([items[0], items[1]], [items[0]], [items[2]]), strict=True):
        await casting.cast_ballot(code, ticks)
    await lifecycle.close_voting(await wishlists.get_round(r.id), actor=None)
    return places, await wishlists.get_round(r.id), items


async def test_election_of_round_has_items_budget_and_ballots():
    _places, r, items = await _closed_round()
    e = await casting.election_of_round(r.id)
    assert list(e.projects) == [str(i) for i in items]
    assert [p.cost for p in e.projects.values()] == [10000, 20000, 30000]
    assert e.budget == 35000
    assert sorted(sorted(b) for b in e.ballots) == sorted([sorted([str(items[0]), str(items[1])]),
                                                           [str(items[0])], [str(items[2])]])
    assert rules.greedy(e) == [str(items[0]), str(items[1])]
    assert e.meta["currency"] == "CNY"


async def test_close_publishes_result_with_digest():
    _places, r, items = await _closed_round()
    kept = await results.published(r.id)
    assert kept.ballots == 3
    assert kept.approvals == {items[0]: 2, items[1]: 1, items[2]: 1}
    assert kept.digest == results.digest_of(kept.approvals, 3)
    (closed,) = await AuditEntry.select(AuditEntry.data).where(
        AuditEntry.action == "ballot.round.closed").output(load_json=True)
    assert closed["data"] == {"digest": kept.digest}


async def test_recount_reproduces_published_result_and_is_audited():
    _places, r, items = await _closed_round()
    outcome = await results.recount(r, actor=None)
    assert outcome.matches is True
    assert outcome.digest == outcome.published_digest
    assert outcome.approvals == {items[0]: 2, items[1]: 1, items[2]: 1}
    (entry,) = await AuditEntry.select(AuditEntry.data).where(
        AuditEntry.action == "ballot.round.recounted").output(load_json=True)
    assert entry["data"] == {"matches": True, "ballots": 3, "digest": outcome.digest}


async def test_recount_after_tampering_does_not_match():
    _places, r, items = await _closed_round()
    choice = await BallotChoice.select(BallotChoice.id).where(BallotChoice.item == items[2]).first()
    await BallotChoice.update({BallotChoice.item: items[0]}).where(BallotChoice.id == choice["id"])
    outcome = await results.recount(r, actor=None)
    assert outcome.matches is False
    assert outcome.approvals == {items[0]: 3, items[1]: 1, items[2]: 0}


async def test_recount_while_voting_refused():
    places = await f.make_places()
    r = await f.make_round(places)
    await f.open_round(r)
    with pytest.raises(Conflict) as exc:
        await results.recount(await wishlists.get_round(r.id), actor=None)
    assert exc.value.message == "群众勾选结束后才能重新计票。"


async def test_pb_export_reads_back_with_same_ballots():
    _places, r, _items = await _closed_round()
    name, _mime, data = await exports.pb_file(r.id)
    assert name == f"round-{r.id}.pb"
    back = rules.parse_pb(data.decode())
    assert back.budget == 35000
    cast = (await casting.election_of_round(r.id)).ballots
    assert sorted(sorted(b) for b in back.ballots) == sorted(sorted(b) for b in cast)
    assert "max_length" not in back.meta  # the round allows any number of ticks


async def test_results_csv_sorted_by_approvals_with_bom():
    _places, r, items = await _closed_round()
    _name, mime, data = await exports.results_csv(r.id)
    assert mime == "text/csv; charset=utf-8"
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["项目编号", "项目名称", "类型", "预计费用（元）", "勾选数"]
    assert rows[1] == [str(items[0]), "项目1", "普惠性", "10,000.00", "2"]
    assert [row[4] for row in rows[1:]] == ["2", "1", "1"]


async def test_ballots_xlsx_is_anonymous_and_canonical():
    _places, r, items = await _closed_round()
    _name, _mime, data = await exports.ballots_xlsx(r.id)
    sheet = load_workbook(io.BytesIO(data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["选票序号", f"{items[0]} 项目1", f"{items[1]} 项目2", f"{items[2]} 项目3"]
    assert rows[1:] == [[1, 1, 0, 0], [2, 0, 0, 1], [3, 1, 1, 0]]
    receipts = [b["receipt"] for b in await Ballot.select(Ballot.receipt)]
    flat = repr(rows)
    assert not any(receipt in flat for receipt in receipts)


async def test_results_xlsx_has_turnout_sheet():
    _places, r, _items = await _closed_round()
    _n, _m, data = await exports.results_xlsx(r.id)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["勾选结果", "各社区参与率"]
    turnout = [[c.value for c in row] for row in book["各社区参与率"].iter_rows()]
    assert turnout == [["社区", "发放选票码", "已投", "参与率"], ["第1社区", 2, 2, "100.0%"],
                       ["第2社区", 2, 1, "50.0%"]]


async def test_exports_while_voting_refused():
    places = await f.make_places()
    r = await f.make_round(places)
    await f.open_round(r)
    for export in exports.EXPORTS.values():
        with pytest.raises(Conflict):
            await export(r.id)


async def test_import_pb_creates_closed_round_with_ballots():
    places = await f.make_places(2)
    round_id = await imports.import_pb(PB, town_id=places["town"], actor=None)
    r = await wishlists.get_round(round_id)
    assert (r.title, r.budget_fen, r.max_ticks, r.status.value) == ("测试导入", 100050, 2, "counted")
    items = await wishlists.items_of(round_id)
    assert [(i["title"], i["cost_fen"], i["description"]) for i in items] == [
        ("路灯", 60000, "Pabulib 项目编号 a"), ("座椅", 40025, "Pabulib 项目编号 b"),
        ("食堂", 30000, "Pabulib 项目编号 c")]
    assert await Ballot.count().where(Ballot.round == round_id) == 4
    e = await casting.election_of_round(round_id)
    assert e.budget == Fraction(2001, 2)
    ids = [str(i["id"]) for i in items]
    assert sorted(sorted(b) for b in e.ballots) == sorted([sorted(ids[:2]), [ids[0]], sorted(ids[1:]), []])
    assert (await results.published(round_id)).approvals == {items[0]["id"]: 2, items[1]["id"]: 2, items[2]["id"]: 1}


NOT_PB = "不是有效的 Pabulib（.pb）文件："


# PB's lines: 1 META, 3 budget, 4 vote_type, 7 PROJECTS, 8 its header, 9-11 projects a b c,
# 12 VOTES, 13 its header, 14-17 votes.
@pytest.mark.parametrize("text, message", [
    ("not a pb file\n", NOT_PB + "第 1 行：文件应以 META 开头，这一行在 META 之前。"),
    (PB.replace("1;a,b", "1;a,zz"), NOT_PB + "第 14 行：第 1 张选票勾选了项目清单里没有的项目：zz。"),
    (PB.replace("3;b,c", "3;b,x,y"), NOT_PB + "第 16 行：第 3 张选票勾选了项目清单里没有的项目：x、y。"),
    (PB.replace("budget;1000.5", "budget;一千"), NOT_PB + "第 3 行：预算“一千”不是有效的金额。"),
    (PB.replace("budget;1000.5\n", ""), NOT_PB + "META 部分没有填写预算（budget）。"),
    (PB.replace("vote_type;approval", "vote_type;ordinal"),
     NOT_PB + "第 4 行：只能导入认可投票（approval）的文件，这个文件的投票类型是“ordinal”。"),
    (PB.replace("b;400.25", "b;-5"), NOT_PB + "第 10 行：项目“b”的费用“-5”不是有效的金额。"),
    (PB.replace("b;400.25", "b;1/0"), NOT_PB + "第 10 行：项目“b”的费用“1/0”不是有效的金额。"),
    (PB.replace("b;400.25;座椅", "b;;座椅"), NOT_PB + "第 10 行：项目“b”没有填写费用（cost）。"),
    (PB.replace("c;300;食堂", "a;300;食堂"), NOT_PB + "第 11 行：项目编号“a”重复了。"),
    (PB.replace("project_id;cost;name", "id;cost;name"), NOT_PB + "第 8 行：PROJECTS 部分缺少“project_id”列。"),
    (PB.split("VOTES")[0], NOT_PB + "缺少 VOTES 部分。"),
    (PB.replace("2;a\n", "2;" + "a" * 200_000 + "\n"),  # a cell beyond the csv module's limit
     NOT_PB + "第 15 行：无法按分号分隔的文本读取，请用 UTF-8 编码的 .pb 文件。"),
    (PB.replace("b;400.25", "b;400.255"), "项目“b”的费用应为精确到分的金额，文件中是 80051/200。"),
])
async def test_import_pb_bad_file_saves_nothing(text, message, caplog):
    """Residents' staff read the message: all Chinese, the line where it helps; the technical
    detail (English) goes to the log only."""
    caplog.set_level(logging.INFO, logger="yishi.ballots.imports")
    places = await f.make_places(1)
    with pytest.raises(DomainError) as exc:
        await imports.import_pb(text, town_id=places["town"], actor=None)
    assert exc.value.message == message
    assert exc.value.status_code == 400
    if message.startswith(NOT_PB):
        (logged,) = [r.getMessage() for r in caplog.records if r.name == "yishi.ballots.imports"]
        assert logged.startswith("refused a .pb file: ")
    assert await Round.count() == 0
    assert await WishItem.count() == 0
    assert await Ballot.count() == 0
    assert await RoundResult.count() == 0
