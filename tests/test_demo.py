"""The demo, loaded once with `yishi demo` as a user loads it (a separate process on the test
database, the full 620 ballots): it shows 评实效 (ratings in three channels, a ledger case, an
observer's score, the seven streets ranked, the 回访 of cases in each of its states), 办件三率 (two
months of Dawan's cases, a ranking with a 末位 unit and a 接诉量前列 one, a 约谈 followed up the
month after) and the 民情热度表 (twelve weeks of suggestions with 点位, one warning firing); a
second `yishi demo` skips and adds nothing to any of them.

One demo for the module (shared_world), not one or two per feature: a demo build is the costliest
thing in the suite after the page walk (on PostgreSQL each of the three feature tests that built
its own demo twice took longer than the whole CLI run)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from yishi import demo_case_rates
from yishi.accounts.tables import User
from yishi.cases import services as cases
from yishi.cases.enums import CaseState
from yishi.cases.tables import Case
from yishi.core import audit, dates
from yishi.evaluation import callbacks, case_ranking, rates, rules, services, talks
from yishi.evaluation.tables import CaseRating, ObserverScore, Rating, UnsatisfiedCase
from yishi.places.tables import District, Town
from yishi.pulse import counts
from yishi.suggestions.tables import Suggestion
from yishi.wishlists.tables import Round

pytestmark = [pytest.mark.shared_world, pytest.mark.usefixtures("shared_world_cleanup")]

# 不满意 with a comment: the online ones the seeded draw gave a comment, and the 电话回访 one.
CASES = 3


def yishi(*args: str) -> subprocess.CompletedProcess:
    # os.environ holds the test database's YISHI_DATABASE_URL, data folder and cheap argon2.
    return subprocess.run([sys.executable, "-m", "yishi.cli", *args], cwd=ROOT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=300)


async def _what_the_demo_made() -> dict[str, int]:
    return {
        "districts": await District.count(), "rounds": await Round.count(), "users": await User.count(),
        "ratings": await Rating.count(), "observer scores": await ObserverScore.count(),
        "unsatisfied": await UnsatisfiedCase.count(), "case ratings": await CaseRating.count(),
        "cases": await Case.count(), "spotted suggestions": await Suggestion.count().where(Suggestion.spot != ""),
    }


_LOADED: dict[str, int] = {}


@pytest.fixture
async def loaded():
    """The demo, loaded by the module's first test that asks; what it made, counted then."""
    if not _LOADED:
        first = yishi("demo")
        assert first.returncode == 0, first.stderr
        assert "演示数据已载入" in first.stdout
        _LOADED.update(await _what_the_demo_made())
    return _LOADED


async def test_demo_rates_ranks_seven_streets(loaded):
    rows = await Rating.select(Rating.project, Rating.grade, Rating.channel).run()
    (_pid,) = {r["project"] for r in rows}
    t = rules.tally([(r["grade"], r["channel"]) for r in rows])
    assert (t.residents.satisfied, t.residents.basic, t.residents.unsatisfied) == (28, 9, 4)
    assert (t.telephone.total, t.telephone.unsatisfied) == (4, 1)
    assert await UnsatisfiedCase.count().where(UnsatisfiedCase.project.is_not_null()) == CASES
    # 回访: 满意, 基本满意 and 不满意 online, 满意 and 不满意 by telephone (one 满意 the district's, on
    # a case sent up to it), two 不满意 of one case.
    # (demo_case_rates' two months of cases are rated too, 满意 and 基本满意 only: left out here.)
    rates_demo = [words for _category, words in demo_case_rates.WORDS.values()]
    rated = sorted((r["grade"], r["channel"], r["answer_no"]) for r in await CaseRating.select().where(
        CaseRating.case.suggestion.content.not_in(rates_demo)).run())
    assert rated == [("basic", "online", 1), ("satisfied", "online", 1), ("satisfied", "telephone", 1),
                     ("satisfied", "telephone", 1), ("unsatisfied", "online", 1), ("unsatisfied", "online", 1),
                     ("unsatisfied", "telephone", 2)]
    reopened = await Case.select(Case.id, Case.state, Case.reopens, Case.escalated_at).where(Case.reopens > 0).order_by(
        Case.reopens).run()
    assert [(r["state"], r["reopens"], r["escalated_at"] is not None) for r in reopened] == [
        ("accepted", 1, False), ("accepted", 2, True)]
    assert await UnsatisfiedCase.count().where(UnsatisfiedCase.case.is_not_null()) == 3
    states = {(await callbacks.status_of(await cases.get_case(r["id"]))).state
              for r in await Case.select(Case.id).where(Case.state.is_in([CaseState.answered, CaseState.closed])).run()}
    assert {"open", "rated", "expired"} <= states
    # 25 + 35×4/5 + 20×4/5 + 20
    assert [r["total"] for r in await ObserverScore.select(ObserverScore.total).run()] == [89.0]
    district = (await District.select(District.id).first().run())["id"]
    ranking = await rates.ranking(district, services.month_of(dates.today()))
    assert len(ranking) == 7 and len({r.town_name for r in ranking}) == 7


async def test_demo_case_history_reads_as_it_happened(loaded):
    # A case's history reads as its story happened, not every step at the minute the demo ran:
    # its last 派单 and its 签收 are stamped with the case's own moments, and the chain still holds.
    rates_demo = [words for _category, words in demo_case_rates.WORDS.values()]
    stories = await Case.select(Case.suggestion, Case.dispatched_at, Case.accepted_at).where(
        Case.accepted_at.is_not_null() & Case.suggestion.content.not_in(rates_demo)).run()
    assert len(stories) >= 10
    for c in stories:
        entries = await audit.entries_for("suggestion", c["suggestion"])
        moments = {e["action"]: e["created_at"] for e in entries}  # the last of each action
        assert (moments["case.dispatched"], moments["case.accepted"]) == (c["dispatched_at"], c["accepted_at"])
        assert min(e["created_at"] for e in entries) < c["dispatched_at"]  # the suggestion came in first
    assert (await audit.verify()).bad_id is None


async def test_demo_ranks_flags_and_follows_up_a_talk(loaded):
    district = (await District.select(District.id).first().run())["id"]
    second = rules.previous_month(dates.today().strftime("%Y-%m"))
    first = rules.previous_month(second)
    ranking = await case_ranking.ranking(district, first, dates.now())
    flags = {r.name: (r.ranked.bottom, r.ranked.top_volume) for r in ranking.units if r.ranked.flagged}
    assert flags == {"区住房和城乡建设局": (True, False), "区公安分局大弯派出所": (False, True)}
    assert len([r for r in ranking.teams if r.ranked.rank]) == 2
    [talk] = await talks.talks_of(district)
    assert (talk["unit_name"], talk["month"], bool(talk["follow_up"])) == ("区住房和城乡建设局", first, True)
    [fu] = talks.follow_ups([talk], await case_ranking.ranking(district, second, dates.now()))
    assert fu.change is not None and fu.change > 0


async def test_demo_fires_one_warning_and_fills_the_heat_table(loaded):
    town = (await Town.select(Town.id).where(Town.name == "大弯街道").first().run())["id"]
    area = await counts.town_area(town)
    alerts = await counts.alerts(area, dates.today())
    # Seven of the rise, and the other demo suggestions of the month may land there too.
    assert [(a.community, a.category) for a in alerts] == [("锦城社区", "环境卫生")] and alerts[0].count >= 7
    heat = await counts.heat(area, dates.today(), 12)
    assert all(n > 0 for n in heat.week_totals)  # every week of the table has cases
    tops = await counts.tops(area, dates.today().strftime("%Y-%m"))
    assert tops.places[0].key == ("锦城社区", "锦城花园")


async def test_demo_twice_second_run_skips_and_adds_nothing(loaded):
    """Last in the module: the second run goes through every part's own check for being there."""
    assert loaded["districts"] == 1
    second = yishi("demo")
    assert second.returncode == 0, second.stderr
    assert "演示数据已存在，跳过。" in second.stdout
    assert "演示数据已载入" not in second.stdout
    assert await _what_the_demo_made() == loaded
