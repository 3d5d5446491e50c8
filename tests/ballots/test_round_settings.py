"""勾选设置: the round's window, voting unit and communities; set in draft, frozen on opening,
enforced where a code is spent, and a round past its closing time closed by itself."""
import asyncio
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.ballots import casting, lifecycle
from yishi.ballots import round_settings as rs
from yishi.ballots.tables import Ballot, BallotChoice, BallotCode, RoundSetting
from yishi.core.errors import Conflict, DomainError
from yishi.core.tables import AuditEntry
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus

FROZEN = "群众勾选已开放，勾选设置已冻结，不能再修改。"
CHINA = timezone(timedelta(hours=8))


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def _draft(communities: int = 2):
    places = await f.make_places(communities)
    r = await f.make_round(places, items=3, max_ticks=2)
    return places, r


async def _save(r, places, **kw):
    args = {"opens_at": None, "closes_at": None, "voter_unit": "resident",
            "communities": places["communities"], "actor": None}
    args.update(kw)
    await rs.save(await wishlists.get_round(r.id), **args)


async def _open(r, places, per_community: int = 2) -> list[str]:
    codes = []
    setup = await rs.get(r.id)
    for cid in places["communities"]:
        if setup.takes_part(cid):
            codes += await casting.issue_codes(await wishlists.get_round(r.id), cid, per_community, actor=None)
    await lifecycle.open_voting(await f.adopt_list(await wishlists.get_round(r.id)), actor=None)
    return codes


async def _nothing_cast(code: str) -> None:
    assert await Ballot.count() == 0
    assert await BallotChoice.count() == 0
    assert (await casting.lookup_code(code)).used is False


def _later(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr(rs, "now_utc", lambda: moment)


# --- setting them in draft ----------------------------------------------------------------

async def test_defaults_without_a_settings_row():
    places, r = await _draft()
    setup = await rs.get(r.id)
    assert setup == rs.RoundSettings()
    assert setup.unit_label == "每人一票"
    assert all(setup.takes_part(c) for c in places["communities"])


async def test_save_and_read_back_with_audit():
    places, r = await _draft(3)
    opens, closes = _now() + timedelta(hours=1), _now() + timedelta(days=2)
    await _save(r, places, opens_at=opens, closes_at=closes, voter_unit="household",
                communities=places["communities"][:2])
    setup = await rs.get(r.id)
    assert (setup.opens_at, setup.closes_at, setup.voter_unit) == (opens, closes, "household")
    assert setup.communities == frozenset(places["communities"][:2])
    assert setup.unit_label == "每户一票"
    assert not setup.takes_part(places["communities"][2])
    # Saved again: still one row.
    await _save(r, places, communities=places["communities"])
    assert await RoundSetting.count().where(RoundSetting.round == r.id) == 1
    assert (await rs.get(r.id)).closes_at is None
    actions = [e["action"] for e in await AuditEntry.select(AuditEntry.action).run()]
    assert actions.count("ballot.round.settings_changed") == 2


@pytest.mark.parametrize(("kw", "message"), [
    ({"voter_unit": "family"}, "请选择投票单位：每人一票或每户一票。"),
    ({"opens_at": "+2h", "closes_at": "+1h"}, "截止时间必须晚于开始时间。"),
    ({"closes_at": "-1h"}, "截止时间已经过去，请填写以后的时间。"),
    ({"communities": []}, "请至少选择一个参加勾选的社区。"),
])
async def test_save_invalid_400_nothing_saved(kw, message):
    places, r = await _draft()
    for key in ("opens_at", "closes_at"):
        if isinstance(kw.get(key), str):
            kw[key] = _now() + timedelta(hours=int(kw[key][:-1]))
    with pytest.raises(DomainError) as exc:
        await _save(r, places, **kw)
    assert (exc.value.status_code, exc.value.message) == (400, message)
    assert await RoundSetting.count() == 0


async def test_save_community_of_another_town_refused():
    places, r = await _draft()
    other = await f.make_places(1)
    with pytest.raises(DomainError, match="所选社区不属于本镇（街道）。"):
        await _save(r, places, communities=[places["communities"][0], other["communities"][0]])


async def test_save_cannot_drop_a_community_that_has_codes():
    places, r = await _draft()
    await casting.issue_codes(r, places["communities"][1], 2, actor=None)
    with pytest.raises(DomainError, match="第2社区已经生成了选票码，不能取消其参加勾选。"):
        await _save(r, places, communities=places["communities"][:1])
    assert await RoundSetting.count() == 0


async def test_freeze_after_opening_409_nothing_changed():
    places, r = await _draft()
    closes = _now() + timedelta(days=1)
    await _save(r, places, closes_at=closes)
    await _open(r, places)
    with pytest.raises(Conflict) as exc:
        await _save(r, places, voter_unit="household")
    assert (exc.value.status_code, exc.value.message) == (409, FROZEN)
    # A stale draft view is caught by the guard in the database too.
    with pytest.raises(Conflict, match=FROZEN):
        await rs.save(r, opens_at=None, closes_at=None, voter_unit="household",
                      communities=places["communities"], actor=None)
    setup = await rs.get(r.id)
    assert (setup.voter_unit, setup.closes_at) == ("resident", closes)


# --- communities taking part ----------------------------------------------------------------

async def test_codes_only_for_participating_communities():
    places, r = await _draft()
    await _save(r, places, communities=places["communities"][:1])
    with pytest.raises(DomainError, match="这个社区不参加本批次勾选，不能为它生成选票码。"):
        await casting.issue_codes(r, places["communities"][1], 3, actor=None)
    assert len(await casting.issue_codes(r, places["communities"][0], 3, actor=None)) == 3
    assert await BallotCode.count() == 3


async def test_code_of_non_participating_community_refused_409_nothing_saved():
    places, r = await _draft()
    await _open(r, places)
    # Data from before the setting (or written behind the app's back): the cast path still refuses.
    await RoundSetting.insert(RoundSetting(round=r.id, communities=str(places["communities"][0])))
    outsider = (await BallotCode.select(BallotCode.code).where(
        BallotCode.community == places["communities"][1]).first())["code"]
    items = await f.item_ids(r.id)
    with pytest.raises(Conflict) as exc:
        await casting.cast_ballot(outsider, items[:1])
    assert exc.value.status_code == 409
    assert "不参加本批次勾选" in exc.value.message
    await _nothing_cast(outsider)
    insider = (await BallotCode.select(BallotCode.code).where(
        BallotCode.community == places["communities"][0]).first())["code"]
    assert await casting.cast_ballot(insider, items[:1])


# --- the window -----------------------------------------------------------------------------

async def test_cast_before_opening_time_409_nothing_saved():
    places, r = await _draft()
    opens = _now() + timedelta(hours=2)
    await _save(r, places, opens_at=opens)
    codes = await _open(r, places)
    items = await f.item_ids(r.id)
    with pytest.raises(Conflict) as exc:
        await casting.cast_ballot(codes[0], items[:1])
    local = opens.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    assert (exc.value.status_code, exc.value.message) == (409, f"本批次的群众勾选将于 {local} 开始，请到时再来。")
    await _nothing_cast(codes[0])


async def test_cast_inside_window_accepted(monkeypatch):
    places, r = await _draft()
    opens, closes = _now() + timedelta(hours=1), _now() + timedelta(hours=3)
    await _save(r, places, opens_at=opens, closes_at=closes)
    codes = await _open(r, places)
    _later(monkeypatch, opens)  # the opening minute itself is inside
    items = await f.item_ids(r.id)
    assert await casting.cast_ballot(codes[0], items[:2])
    _later(monkeypatch, closes - timedelta(seconds=1))
    assert await casting.cast_ballot(codes[1], items[:1])
    assert (await casting.tally(r.id)).ballots == 2


async def test_cast_after_closing_time_409_nothing_saved(monkeypatch):
    places, r = await _draft()
    closes = _now() + timedelta(hours=1)
    await _save(r, places, closes_at=closes)
    codes = await _open(r, places)
    _later(monkeypatch, closes)  # closing time itself is outside
    items = await f.item_ids(r.id)
    with pytest.raises(Conflict) as exc:
        await casting.cast_ballot(codes[0], items[:1])
    local = closes.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
    assert (exc.value.status_code, exc.value.message) == (409, f"本批次的群众勾选已于 {local} 截止，感谢您的关注。")
    await _nothing_cast(codes[0])


async def test_refusal_order_round_state_before_window_before_code(monkeypatch):
    places, r = await _draft()
    closes = _now() + timedelta(hours=1)
    await _save(r, places, closes_at=closes)
    codes = await _open(r, places)
    items = await f.item_ids(r.id)
    await casting.cast_ballot(codes[0], items[:1])
    _later(monkeypatch, closes + timedelta(minutes=1))
    # A used code past the closing time: the window is told first.
    with pytest.raises(Conflict, match="截止"):
        await casting.cast_ballot(codes[0], items[:1])
    # Too many ticks past the closing time: still the window (nothing about ticks).
    with pytest.raises(Conflict, match="截止"):
        await casting.cast_ballot(codes[1], items)


async def test_same_code_concurrently_in_window_exactly_one_ballot():
    places, r = await _draft()
    await _save(r, places, closes_at=_now() + timedelta(hours=1))
    codes = await _open(r, places)
    items = await f.item_ids(r.id)
    outcomes = await asyncio.gather(*(casting.cast_ballot(codes[0], items[:1]) for _ in range(20)),
                                    return_exceptions=True)
    assert sum(isinstance(o, str) for o in outcomes) == 1
    assert all(isinstance(o, Conflict) for o in outcomes if not isinstance(o, str))
    assert await Ballot.count() == 1


async def test_open_voting_refused_when_closing_time_passed(monkeypatch):
    places, r = await _draft()
    closes = _now() + timedelta(hours=1)
    await _save(r, places, closes_at=closes)
    _later(monkeypatch, closes + timedelta(seconds=1))
    with pytest.raises(DomainError, match="勾选截止时间已经过去"):
        await lifecycle.open_voting(await f.adopt_list(await wishlists.get_round(r.id)), actor=None)
    assert (await wishlists.get_round(r.id)).status is RoundStatus.draft


# --- closing by itself ----------------------------------------------------------------------

async def test_close_due_rounds_closes_through_close_voting_as_system(monkeypatch):
    places, r = await _draft()
    closes = _now() + timedelta(hours=1)
    await _save(r, places, closes_at=closes)
    codes = await _open(r, places)
    items = await f.item_ids(r.id)
    await casting.cast_ballot(codes[0], items[:1])
    other_places, other = await _draft()
    await _save(other, other_places, closes_at=closes + timedelta(hours=1))
    await _open(other, other_places)
    assert await lifecycle.close_due_rounds() == []
    _later(monkeypatch, closes)
    assert await lifecycle.close_due_rounds() == [r.id]
    assert (await wishlists.get_round(r.id)).status is RoundStatus.counted
    assert (await wishlists.get_round(other.id)).status is RoundStatus.voting
    entry = await AuditEntry.select(AuditEntry.actor_id, AuditEntry.actor_name).where(
        (AuditEntry.action == "ballot.round.closed") & (AuditEntry.object_id == r.id)).first()
    assert entry == {"actor_id": None, "actor_name": "system"}
    assert await lifecycle.close_due_rounds() == []  # nothing twice


async def test_close_due_round_waits_for_held_paper_ballots(monkeypatch):
    from yishi.ballots import paper

    places, r = await _draft()
    closes = _now() + timedelta(hours=1)
    await _save(r, places, closes_at=closes)
    codes = await _open(r, places)
    collector = await f.make_user(Role.street_staff, places)
    await paper.enter(codes[0], (await f.item_ids(r.id))[:1], actor=collector)
    _later(monkeypatch, closes)
    assert await lifecycle.close_due_rounds() == []
    assert (await wishlists.get_round(r.id)).status is RoundStatus.voting


async def test_closer_task_runs_and_stops(monkeypatch):
    places, r = await _draft()
    closes = _now() + timedelta(hours=1)
    await _save(r, places, closes_at=closes)
    await _open(r, places)
    _later(monkeypatch, closes)
    task = lifecycle.start_closer(interval=0.05)
    for _ in range(100):
        if (await wishlists.get_round(r.id)).status is RoundStatus.counted:
            break
        await asyncio.sleep(0.05)
    await lifecycle.stop_closer(task)
    assert task.done()
    assert (await wishlists.get_round(r.id)).status is RoundStatus.counted
