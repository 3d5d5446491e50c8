"""A round as an election, its exports (.pb, CSV, xlsx), import of a .pb, and the published result."""
import csv
import io
from fractions import Fraction

import pytest
from openpyxl import load_workbook

from yishi.ballots import exports, imports, results, rules, services
from yishi.ballots.tables import Ballot, BallotChoice, RoundResult
from yishi.core.errors import Conflict, DomainError
from yishi.core.tables import AuditEntry
from yishi.wishlists import services as wishlists
from yishi.wishlists.tables import Round, WishItem
from tests import factories as f

PB = ("META\nkey;value\nbudget;1000.5\nvote_type;approval\ninstance;测试导入\nmax_length;2\n"
      "PROJECTS\nproject_id;cost;name\na;600;路灯\nb;400.25;座椅\nc;300;食堂\n"
      "VOTES\nvoter_id;vote\n1;a,b\n2;a\n3;b,c\n4;\n")


async def _closed_round():
    places = await f.make_places(2)
    r = await f.make_round(places, items=3, max_ticks=0, budget_yuan=35000)
    codes = await f.open_round(r, codes_per_community=2)
    items = await f.item_ids(r.id)
    for code, ticks in zip(codes, ([items[0], items[1]], [items[0]], [items[2]])):
        await services.cast_ballot(code, ticks)
    await services.close_voting(await wishlists.get_round(r.id), actor=None)
    return places, await wishlists.get_round(r.id), items


async def test_election_of_round_has_items_budget_and_ballots():
    places, r, items = await _closed_round()
    e = await services.election_of_round(r.id)
    assert list(e.projects) == [str(i) for i in items]
    assert [p.cost for p in e.projects.values()] == [10000, 20000, 30000]
    assert e.budget == 35000
    assert sorted(sorted(b) for b in e.ballots) == sorted([sorted([str(items[0]), str(items[1])]),
                                                           [str(items[0])], [str(items[2])]])
    assert rules.greedy(e) == [str(items[0]), str(items[1])]
    assert e.meta["currency"] == "CNY"


async def test_close_publishes_result_with_digest():
    places, r, items = await _closed_round()
    kept = await results.published(r.id)
    assert kept.ballots == 3
    assert kept.approvals == {items[0]: 2, items[1]: 1, items[2]: 1}
    assert kept.digest == results.digest_of(kept.approvals, 3)
    (closed,) = await AuditEntry.select(AuditEntry.data).where(
        AuditEntry.action == "ballot.round.closed").output(load_json=True)
    assert closed["data"] == {"digest": kept.digest}


async def test_recount_reproduces_published_result_and_is_audited():
    places, r, items = await _closed_round()
    outcome = await results.recount(r, actor=None)
    assert outcome.matches is True
    assert outcome.digest == outcome.published_digest
    assert outcome.approvals == {items[0]: 2, items[1]: 1, items[2]: 1}
    (entry,) = await AuditEntry.select(AuditEntry.data).where(
        AuditEntry.action == "ballot.round.recounted").output(load_json=True)
    assert entry["data"] == {"matches": True, "ballots": 3, "digest": outcome.digest}


async def test_recount_after_tampering_does_not_match():
    places, r, items = await _closed_round()
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
    places, r, items = await _closed_round()
    name, mime, data = await exports.pb_file(r.id)
    assert name == f"round-{r.id}.pb"
    back = rules.parse_pb(data.decode())
    assert back.budget == 35000
    assert sorted(sorted(b) for b in back.ballots) == sorted(sorted(b) for b in (await services.election_of_round(r.id)).ballots)
    assert "max_length" not in back.meta  # the round allows any number of ticks


async def test_results_csv_sorted_by_approvals_with_bom():
    places, r, items = await _closed_round()
    name, mime, data = await exports.results_csv(r.id)
    assert mime == "text/csv; charset=utf-8"
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["项目编号", "项目名称", "类型", "预计费用（元）", "勾选数"]
    assert rows[1] == [str(items[0]), "项目1", "普惠性", "10,000.00", "2"]
    assert [row[4] for row in rows[1:]] == ["2", "1", "1"]


async def test_ballots_xlsx_is_anonymous_and_canonical():
    places, r, items = await _closed_round()
    name, mime, data = await exports.ballots_xlsx(r.id)
    sheet = load_workbook(io.BytesIO(data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["选票序号", f"{items[0]} 项目1", f"{items[1]} 项目2", f"{items[2]} 项目3"]
    assert rows[1:] == [[1, 1, 0, 0], [2, 0, 0, 1], [3, 1, 1, 0]]
    receipts = [b["receipt"] for b in await Ballot.select(Ballot.receipt)]
    flat = repr(rows)
    assert not any(receipt in flat for receipt in receipts)


async def test_results_xlsx_has_turnout_sheet():
    places, r, items = await _closed_round()
    _n, _m, data = await exports.results_xlsx(r.id)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["勾选结果", "各社区参与率"]
    turnout = [[c.value for c in row] for row in book["各社区参与率"].iter_rows()]
    assert turnout == [["社区", "发放选票码", "已投", "参与率"], ["第1社区", 2, 2, "100.0%"], ["第2社区", 2, 1, "50.0%"]]


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
        ("路灯", 60000, "Pabulib 项目编号 a"), ("座椅", 40025, "Pabulib 项目编号 b"), ("食堂", 30000, "Pabulib 项目编号 c")]
    assert await Ballot.count().where(Ballot.round == round_id) == 4
    e = await services.election_of_round(round_id)
    assert e.budget == Fraction(2001, 2)
    ids = [str(i["id"]) for i in items]
    assert sorted(sorted(b) for b in e.ballots) == sorted([sorted(ids[:2]), [ids[0]], sorted(ids[1:]), []])
    assert (await results.published(round_id)).approvals == {items[0]["id"]: 2, items[1]["id"]: 2, items[2]["id"]: 1}


@pytest.mark.parametrize("text, message", [
    ("not a pb file\n", "不是有效的 Pabulib(.pb)文件"),
    (PB.replace("1;a,b", "1;a,zz"), "不是有效的 Pabulib(.pb)文件"),
    (PB.replace("b;400.25", "b;400.255"), "应为精确到分的金额"),
])
async def test_import_pb_bad_file_saves_nothing(text, message):
    places = await f.make_places(1)
    with pytest.raises(DomainError) as exc:
        await imports.import_pb(text, town_id=places["town"], actor=None)
    assert message in exc.value.message
    assert await Round.count() == 0
    assert await WishItem.count() == 0
    assert await Ballot.count() == 0
    assert await RoundResult.count() == 0
