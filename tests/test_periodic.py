"""`yishi periodic`: one pass of what must happen on a schedule (due rounds ended and counted,
personal data past its retention cleared), safe to run twice at once: each thing happens once."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from tests import factories as f
from tests.conftest import ROOT
from tests.evaluation import setup as evaluation_setup
from yishi import periodic
from yishi.accounts.enums import Role
from yishi.ballots import casting, lifecycle
from yishi.ballots import round_settings as rs
from yishi.ballots.tables import Ballot, RoundSetting
from yishi.core.tables import AuditEntry
from yishi.evaluation import services as evaluation
from yishi.suggestions import services as suggestions
from yishi.suggestions.tables import Suggestion
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus

# The passes here must be the only closers: a live server of this worker's browser tests is paused.
pytestmark = pytest.mark.usefixtures("live_server_paused")


async def _due_round(ballots: int = 2) -> int:
    """A round being ticked whose closing time passed a minute ago, with some ballots cast."""
    places = await f.make_places(1)
    r = await f.make_round(places, items=3, max_ticks=2)
    await rs.save(await wishlists.get_round(r.id), opens_at=None, closes_at=datetime.now(UTC) + timedelta(hours=1),
                  voter_unit="resident", communities=places["communities"], actor=None)
    codes = await casting.issue_codes(await wishlists.get_round(r.id), places["communities"][0], ballots, actor=None)
    await lifecycle.open_voting(await f.adopt_list(await wishlists.get_round(r.id)), actor=None)
    items = await f.item_ids(r.id)
    for code in codes:
        await casting.cast_ballot(code, items[:1])
    await RoundSetting.update({RoundSetting.closes_at: datetime.now(UTC) - timedelta(minutes=1)}).where(
        RoundSetting.round == r.id)
    return r.id


async def _answered_long_ago(n: int) -> list[int]:
    """Suggestions with a name and phone, answered for good 200 days ago (retention: 180)."""
    places = await f.make_places(1)
    staff = await f.make_user(Role.street_staff, places)
    ids = []
    for i in range(n):
        s = await f.make_suggestion(places, phone=f"1360000{i:04d}", name=f"居民{i}")
        await suggestions.reject(s.id, "重复", "已答复", actor=staff)
        ids.append(s.id)
    await Suggestion.update({Suggestion.closed_at: datetime.now(UTC) - timedelta(days=200)}).where(
        Suggestion.id.is_in(ids))
    return ids


async def _audit_count(action: str) -> dict[int, int]:
    rows = await AuditEntry.select(AuditEntry.object_id).where(AuditEntry.action == action)
    counts: dict[int, int] = {}
    for row in rows:
        counts[int(row["object_id"])] = counts.get(int(row["object_id"]), 0) + 1
    return counts


async def _each_done_once(rounds: list[int], purged: list[int]) -> None:
    for round_id in rounds:
        assert (await wishlists.get_round(round_id)).status is RoundStatus.counted
    assert await _audit_count("ballot.round.closed") == dict.fromkeys(rounds, 1)
    assert await _audit_count("suggestion.personal_data.purged") == dict.fromkeys(purged, 1)
    rows = await Suggestion.select(Suggestion.submitter_name, Suggestion.phone_masked, Suggestion.purged_at)
    assert all(r["submitter_name"] == "" and r["phone_masked"] == "" and r["purged_at"] for r in rows)


async def test_two_passes_at_once_do_each_thing_once():
    rounds = [await _due_round(), await _due_round()]
    purged = await _answered_long_ago(3)
    passes = await asyncio.gather(*(periodic.run_once() for _ in range(4)))
    closed = [r for p in passes for r in p.closed_rounds]
    assert sorted(closed) == sorted(rounds)  # every round once, by whichever pass got it
    assert sum(p.purged for p in passes) == 3
    await _each_done_once(rounds, purged)


def _periodic() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "yishi.cli", "periodic"], cwd=ROOT, env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


async def test_yishi_periodic_twice_at_once_as_cron_would_start_it():
    rounds = [await _due_round(), await _due_round()]
    purged = await _answered_long_ago(2)
    first, second = _periodic(), _periodic()
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outputs
    said = "".join(out for out, _err in outputs)
    # Between them, each round ended once and the two suggestions cleared once.
    for round_id in rounds:
        assert said.count(f"批次 {round_id} ") == 1, outputs  # stderr too: a lost race logs why
    assert said.count("已清除") in (1, 2) and "已清除 3" not in said
    await _each_done_once(rounds, purged)
    # Nothing left to do: a pass says nothing (cron mails only when there is something to read).
    again = subprocess.run([sys.executable, "-m", "yishi.cli", "periodic"], cwd=ROOT, env=dict(os.environ),
                           capture_output=True, text=True, timeout=120)
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")


async def test_a_round_not_yet_due_and_fresh_personal_data_are_left_alone():
    places = await f.make_places(1)
    staff = await f.make_user(Role.street_staff, places)
    s = await f.make_suggestion(places, phone="13600001111", name="王大妈")
    await suggestions.reject(s.id, "重复", "已答复", actor=staff)  # answered today
    r = await f.make_round(places, items=2)
    assert await periodic.run_once() == periodic.Pass([], 0)
    assert (await wishlists.get_round(r.id)).status is RoundStatus.draft
    assert (await Suggestion.select(Suggestion.submitter_name).where(Suggestion.id == s.id).first())[
        "submitter_name"] == "王大妈"


async def test_passes_at_once_mix_each_round_still_being_ticked_or_rated_once():
    """Ballots and ratings that came in since their round's last mix are mixed by one pass
    (ballots/mixing.py, evaluation/mixing.py); on SQLite there is nothing to mix."""
    places = await f.make_places(1)
    r = await f.make_round(places, items=3, max_ticks=2)
    codes = await f.open_round(r, codes_per_community=3)
    for code in codes:
        await casting.cast_ballot(code, (await f.item_ids(r.id))[:1])
    rated_places, staff, (pid, _other), rated_round = await evaluation_setup.written_off()
    for code in await evaluation_setup.codes(rated_places, staff, rated_round, 4):
        await evaluation.rate_online(pid, code, "satisfied")
    passes = await asyncio.gather(*(periodic.run_once() for _ in range(3)))
    ballots = [m for p in passes for m in p.mixed_ballots.items()]
    ratings = [m for p in passes for m in p.mixed_ratings.items()]
    if Ballot._meta.db.engine_type == "postgres":
        assert (ballots, ratings) == ([(r.id, 3)], [(rated_round, 4)])
        # The voting round was mixed, not ended.
        assert (await wishlists.get_round(r.id)).status is RoundStatus.voting
        assert await periodic.run_once() == periodic.Pass([], 0)
    else:
        assert (ballots, ratings) == ([], [])
