"""Paper ballots and the closing time: the closing time ends the casting (online ballots refused
at once), but a round that used paper is counted only after the paper ballots handed in by then
are entered and staff confirm it; the result is published once and never changes after."""
import asyncio
import dataclasses
import logging
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.ballots import casting, lifecycle, paper, paper_pdf, results
from yishi.ballots import round_settings as rs
from yishi.ballots.tables import Ballot, PaperBallot, RoundResult
from yishi.core.errors import Conflict
from yishi.core.tables import AuditEntry
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus

CHINA = timezone(timedelta(hours=8))
NOT_VOTING = "本批次不在勾选中，不能录入纸质选票。"


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _later(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(rs, "now_utc", lambda: moment)


async def _voting(closes_in: timedelta | None = timedelta(hours=1)):
    """A round open for ticking, with a closing time (or none), 3 codes per community; two
    collectors of the first community (codes[0:3]) and a member of the street's staff."""
    places = await f.make_places(2)
    r = await f.make_round(places, items=3, max_ticks=2)
    closes = _now() + closes_in if closes_in else None
    await rs.save(await wishlists.get_round(r.id), opens_at=None, closes_at=closes, voter_unit="resident",
                  communities=places["communities"], actor=None)
    codes = await f.open_round(await wishlists.get_round(r.id), codes_per_community=3)
    a = await f.make_user(Role.collector, places)
    b = await f.make_user(Role.collector, places)
    staff = await f.make_user(Role.street_staff, places)
    return places, await wishlists.get_round(r.id), codes, await f.item_ids(r.id), closes, (a, b, staff)


async def _status(round_id: int) -> RoundStatus:
    return (await wishlists.get_round(round_id)).status


async def _actions(round_id: int) -> list[str]:
    rows = await AuditEntry.select(AuditEntry.action).where(AuditEntry.object_id == round_id).order_by(AuditEntry.id)
    return [r["action"] for r in rows]


async def test_closing_time_waits_for_paper_then_staff_confirm_counts_everything(monkeypatch):
    _places, r, codes, items, closes, (a, b, staff) = await _voting()
    online = await casting.cast_ballot(codes[2], [items[2]])
    await paper.enter(codes[0], [items[0], items[1]], actor=a)  # handed in and entered once in time

    _later(monkeypatch, closes + timedelta(minutes=5))
    assert await lifecycle.close_due_rounds() == []  # waits: paper is in play
    assert await _status(r.id) is RoundStatus.voting
    setup = await rs.get(r.id)
    assert (setup.casting_ended, setup.uses_paper, setup.paper_pending, setup.paper_conflict) == (True, True, 1, 0)

    # Online ballots stop at the closing time, with the Chinese message residents see.
    with pytest.raises(Conflict) as exc:
        await casting.cast_ballot(codes[4], [items[0]])
    local = closes.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    assert exc.value.message == f"本批次的群众勾选已于 {local} 截止，感谢您的关注。"
    # No public result yet, and residents are told why.
    with pytest.raises(Conflict) as exc:
        await lifecycle.confirm_count(r, actor=staff)
    assert exc.value.message == "还有 1 张纸质选票未完成两次录入或正等待审核，全部处理完才能计票。"
    assert await results.published(r.id) is None
    assert await results.not_yet_message(r) == "勾选已截止，纸质选票正在录入。全部录入、计票后公布结果，请稍后再来。"

    # The paper ballots handed in by the closing time are still entered: the second entry of the
    # first one, and both entries of one not entered at all before the closing time.
    assert (await paper.enter(codes[0], [items[1], items[0]], actor=b)).status == "counted"
    assert (await paper.enter(codes[1], [items[2]], actor=a)).status == "pending"
    assert (await paper.enter(codes[1], [items[2]], actor=b)).status == "counted"
    late = await AuditEntry.select(AuditEntry.data).where(
        AuditEntry.action == "ballot.paper.entered").order_by(AuditEntry.id).output(load_json=True)
    assert [e["data"].get("after_close") for e in late] == [None, True, True, True]
    # A code used online stays refused on paper after the closing time, too.
    with pytest.raises(Conflict, match="已经在网上投过票"):
        await paper.enter(codes[2], [items[0]], actor=a)

    await lifecycle.confirm_count(await wishlists.get_round(r.id), actor=staff)
    assert await _status(r.id) is RoundStatus.counted
    kept = await results.published(r.id)
    assert kept.ballots == 3 and kept.approvals == {items[0]: 1, items[1]: 1, items[2]: 2}
    assert await results.receipt_counted(r.id, online)
    closed = await AuditEntry.select(AuditEntry.actor_id, AuditEntry.data).where(
        AuditEntry.action == "ballot.round.closed").output(load_json=True)
    assert [(c["actor_id"], c["data"]["paper_returned"]) for c in closed] == [(staff.id, 2)]

    # Counted for good: no entry, no second count, and a recount gives the published result.
    with pytest.raises(Conflict) as exc:
        await paper.enter(codes[3], [items[0]], actor=staff)
    assert exc.value.message == NOT_VOTING
    with pytest.raises(Conflict):
        await lifecycle.confirm_count(await wishlists.get_round(r.id), actor=staff)
    assert (await results.recount(await wishlists.get_round(r.id), actor=staff)).matches
    assert await RoundResult.count() == 1


async def test_printing_paper_ballots_makes_the_round_wait_at_its_closing_time(monkeypatch):
    places, r, _codes, _items, closes, (_a, _b, staff) = await _voting()
    assert (await rs.get(r.id)).uses_paper is False
    await paper_pdf.paper_ballots_pdf(r.id, base_url="http://x", limit=2, size="A5", actor=staff)
    setup = await rs.get(r.id)
    assert setup.uses_paper and setup.paper_printed_at is not None
    printed = await AuditEntry.select(AuditEntry.actor_id, AuditEntry.data).where(
        AuditEntry.action == "ballot.paper.printed").output(load_json=True)
    assert printed == [{"actor_id": staff.id,
                        "data": {"community_id": None, "count": 2, "size": "A5", "language": "zh_CN"}}]

    _later(monkeypatch, closes)
    assert await lifecycle.close_due_rounds() == []
    assert await _status(r.id) is RoundStatus.voting
    # Past the closing time nothing more goes out: neither codes nor paper ballots.
    with pytest.raises(Conflict) as exc:
        await casting.issue_codes(r, places["communities"][0], 5, actor=staff)
    assert exc.value.message == "勾选已截止，不能再发放选票码。"
    with pytest.raises(Conflict) as exc:
        await paper_pdf.paper_ballots_pdf(r.id, base_url="http://x")
    assert exc.value.message == "勾选已截止，不能再打印纸质选票。"
    # Nothing came back on paper: staff confirm, and the round is counted with no ballot.
    await lifecycle.confirm_count(r, actor=staff)
    assert await _status(r.id) is RoundStatus.counted
    assert (await results.published(r.id)).ballots == 0


async def test_staff_ending_the_ticking_of_a_paper_round_ends_casting_only():
    _places, r, codes, items, _closes, (a, b, staff) = await _voting(closes_in=None)
    await paper.enter(codes[0], [items[0]], actor=a)
    with pytest.raises(Conflict) as exc:  # not before the casting has ended
        await lifecycle.confirm_count(r, actor=staff)
    assert exc.value.message == "勾选还没有截止。请先点“结束群众勾选”，或等到截止时间。"

    before = _now()
    assert await lifecycle.close_voting(r, actor=staff) is False
    setup = await rs.get(r.id)
    assert setup.casting_ended and before <= setup.closes_at <= _now() + timedelta(seconds=1)
    assert await _status(r.id) is RoundStatus.voting
    with pytest.raises(Conflict, match="截止"):
        await casting.cast_ballot(codes[3], [items[1]])
    # A second click (a stale page) changes nothing.
    assert await lifecycle.close_voting(r, actor=staff) is False
    assert (await _actions(r.id)).count("ballot.round.casting_ended") == 1
    ended = await AuditEntry.select(AuditEntry.actor_id, AuditEntry.data).where(
        AuditEntry.action == "ballot.round.casting_ended").output(load_json=True)
    assert ended[0]["actor_id"] == staff.id and ended[0]["data"]["paper_waiting"] == 1

    assert (await paper.enter(codes[0], [items[0]], actor=b)).status == "counted"
    await lifecycle.confirm_count(r, actor=staff)
    assert (await results.published(r.id)).approvals == {items[0]: 1, items[1]: 0, items[2]: 0}


async def test_round_without_paper_is_still_counted_when_staff_end_it():
    _places, r, codes, items, _closes, (_a, _b, staff) = await _voting(closes_in=None)
    await casting.cast_ballot(codes[0], [items[0]])
    assert await lifecycle.close_voting(r, actor=staff) is True
    assert await _status(r.id) is RoundStatus.counted
    assert (await results.published(r.id)).ballots == 1


async def test_held_ballot_blocks_the_count_until_the_supervisor_decides(monkeypatch):
    _places, r, codes, items, closes, (a, b, staff) = await _voting()
    await paper.enter(codes[0], [items[0]], actor=a)
    _later(monkeypatch, closes)
    assert (await paper.enter(codes[0], [items[1]], actor=b)).status == "conflict"
    assert (await rs.get(r.id)).paper_conflict == 1
    with pytest.raises(Conflict, match="还有 1 张"):
        await lifecycle.confirm_count(r, actor=staff)
    assert await _status(r.id) is RoundStatus.voting and await RoundResult.count() == 0
    (held,) = await paper.held(r.id)
    assert await paper.resolve(r.id, held.id, "second", actor=staff) == "counted"
    await lifecycle.confirm_count(r, actor=staff)
    assert (await results.published(r.id)).approvals[items[1]] == 1


async def test_an_entry_racing_the_count_is_either_counted_or_refused(monkeypatch):
    """Never both: a counted round with a paper ballot still waiting, or a ballot written after
    the result was published, would change a published result."""
    for _attempt in range(3):
        _places, r, codes, items, closes, (a, b, staff) = await _voting()
        await paper.enter(codes[0], [items[0]], actor=a)
        await paper.enter(codes[0], [items[0]], actor=b)
        _later(monkeypatch, closes)
        count, entry = await asyncio.gather(lifecycle.confirm_count(r, actor=staff),
                                            paper.enter(codes[1], [items[1]], actor=a), return_exceptions=True)
        assert (count is None) != (not isinstance(entry, Exception)), (count, entry)
        if count is None:
            assert isinstance(entry, Conflict) and entry.message == NOT_VOTING
            assert await PaperBallot.count().where(PaperBallot.round == r.id) == 1
        else:
            assert isinstance(count, Conflict) and await _status(r.id) is RoundStatus.voting
            assert await RoundResult.count().where(RoundResult.round == r.id) == 0
        monkeypatch.undo()


async def test_closer_losing_the_race_to_another_worker_logs_no_warning(monkeypatch, caplog):
    _places, r, codes, items, closes, (_a, _b, _staff) = await _voting()
    await casting.cast_ballot(codes[0], [items[0]])
    _later(monkeypatch, closes)
    caplog.set_level(logging.DEBUG, logger="yishi.ballots.lifecycle")
    # Two workers' closers, and a round page, all at once: one counts, the others find it done.
    outcomes = await asyncio.gather(*(lifecycle.close_if_due(r.id) for _ in range(3)))
    assert sorted(outcomes) == [False, False, True]
    # A worker that read the round before another counted it (its view is stale) loses quietly.
    stale = dataclasses.replace(await wishlists.get_round(r.id), status=RoundStatus.voting)
    monkeypatch.setattr(rs.wishlists, "get_round", _stale_first(stale))
    assert await lifecycle.close_if_due(r.id) is False
    assert [rec for rec in caplog.records if rec.levelno >= logging.WARNING] == []
    assert any("counted by another worker" in rec.getMessage() for rec in caplog.records)
    assert (await _actions(r.id)).count("ballot.round.closed") == 1
    assert await RoundResult.count() == 1 and await Ballot.count() == 1


def _stale_first(view):
    """get_round that answers `view` once (a stale read), then reads the database."""
    real = wishlists.get_round
    calls = []

    async def get_round(round_id: int):
        calls.append(round_id)
        return view if len(calls) == 1 else await real(round_id)

    return get_round


async def test_waiting_round_logs_nothing_above_debug_on_every_tick(monkeypatch, caplog):
    _places, _r, codes, items, closes, (a, _b, _staff) = await _voting()
    await paper.enter(codes[0], [items[0]], actor=a)
    _later(monkeypatch, closes)
    caplog.set_level(logging.DEBUG, logger="yishi.ballots.lifecycle")
    for _tick in range(3):
        assert await lifecycle.close_due_rounds() == []
    assert [rec for rec in caplog.records if rec.levelno >= logging.INFO] == []
