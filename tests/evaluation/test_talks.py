"""The monthly ranking of units and teams, its district rules, and 约谈: recorded only with a
flagged unit, once a month, followed up the month after against the unit's rates then."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests.evaluation.test_case_rates import handled, world
from yishi.core import audit
from yishi.core.dates import CHINA
from yishi.core.errors import Conflict, InvalidInput
from yishi.evaluation import case_ranking, talks
from yishi.evaluation.case_rules import RankRule
from yishi.evaluation.talks import TalkInput

DEC = datetime(2026, 12, 20, 12, 0, tzinfo=CHINA)
NOV = datetime(2026, 11, 29, 12, 0, tzinfo=CHINA)
RULE = {"min_cases": 3, "bottom_n": 1, "bottom_below_pct": 90, "top_volume_n": 0}


async def ranked_world() -> dict:
    """In November 城管办 handles three cases well, 住建局 three late and one unsigned."""
    w = await world()
    for day in (2, 3, 4):
        await handled(w, "a", day)
        await handled(w, "b", day, accept_after=timedelta(hours=30), close_after=timedelta(days=9))
    await handled(w, "b", 6, accept_after=None)
    await case_ranking.set_rule(w["places"]["district"], RULE, actor=w["staff"])
    return w


def talk(w: dict, **over) -> TalkInput:
    values = {"unit_id": w["b"], "held_on": date(2026, 12, 3), "head": "住建局 李局长",
              "talked_by": "区委社会工作部 张部长", "agreed": "一周内清理逾期工单，指定专人签收。"}
    return TalkInput(**{**values, **over})


async def test_ranking_flags_the_last_unit():
    w = await ranked_world()
    r = await case_ranking.ranking(w["places"]["district"], "2026-11", DEC)
    assert [(row.name, row.ranked.rank, row.ranked.bottom) for row in r.units] == [
        ("城管办", 1, False), ("住建局", 2, True)]
    b = r.unit(w["b"])
    # None signed for in time; three of the four due closed (late): (0 + 0.75) / 2.
    assert (b.figures.dispatched, b.figures.response, b.figures.closure, b.ranked.score) == (4, 0.0, 0.75, 0.375)


async def test_rule_is_checked_and_audited():
    w = await world()
    with pytest.raises(InvalidInput, match="末位名数"):
        await case_ranking.set_rule(w["places"]["district"], {**RULE, "bottom_n": 51}, actor=None)
    rule = await case_ranking.set_rule(w["places"]["district"], {**RULE, "bottom_below_pct": 80}, actor=w["staff"])
    assert rule == RankRule(3, 1, 0.8, 0) == await case_ranking.rule_of(w["places"]["district"])
    entries = await audit.entries_for("district", w["places"]["district"])
    assert entries[-1]["action"] == "evaluation.case_rank.settings.set"


async def test_talk_with_a_flagged_unit_is_recorded_once_and_followed_up_next_month():
    w = await ranked_world()
    d = w["places"]["district"]
    talk_id = await talks.record(d, "2026-11", talk(w), actor=w["staff"], now=DEC)
    with pytest.raises(Conflict, match="已经记录过了"):
        await talks.record(d, "2026-11", talk(w), actor=w["staff"], now=DEC)
    [row] = await talks.talks_of(d)
    assert (row["unit_name"], row["reason"], row["head"]) == ("住建局", "bottom", "住建局 李局长")
    with pytest.raises(Conflict, match="下个月起"):
        await talks.follow_up(d, talk_id, "已整改。", actor=w["staff"], now=NOV)
    await talks.follow_up(d, talk_id, "逾期工单已清零，签收改为专人负责。", actor=w["staff"], now=DEC)
    # December: 住建局 signs for its new cases on time.
    for day in (1, 2, 3):
        await handled(w, "b", day, month=12)
    december = await case_ranking.ranking(d, "2026-12", DEC)
    [fu] = talks.follow_ups(await talks.talks_of(d, month="2026-11"), december)
    assert (fu.score_then, fu.score_now, fu.change) == (0.375, 1.0, 62.5)
    assert fu.talk["follow_up"] == "逾期工单已清零，签收改为专人负责。"
    actions = [e["action"] for e in await audit.entries_for("unit", w["b"])]
    assert actions[-2:] == ["evaluation.talk.recorded", "evaluation.talk.followed_up"]


async def test_talk_with_an_unflagged_unit_is_refused():
    w = await ranked_world()
    with pytest.raises(Conflict, match="不在约谈之列"):
        await talks.record(w["places"]["district"], "2026-11", talk(w, unit_id=w["a"]), actor=w["staff"], now=DEC)


@pytest.mark.parametrize(("over", "message"), [
    ({"unit_id": None}, "请选择被约谈的单位"), ({"held_on": None}, "请填写约谈日期"),
    ({"held_on": date(2026, 10, 31)}, "约谈日期应在"), ({"held_on": date(2026, 12, 21)}, "约谈日期应在"),
    ({"head": " "}, "单位负责人"), ({"agreed": ""}, "整改事项"), ({"talked_by": "张" * 61}, "不能超过 60 个字"),
])
async def test_talk_input_is_checked(over, message):
    w = await ranked_world()
    with pytest.raises(InvalidInput, match=message):
        await talks.record(w["places"]["district"], "2026-11", talk(w, **over), actor=w["staff"], now=DEC)


async def test_meeting_scores_count_in_the_unit_ranking_and_the_street_prep_score_is_shown():
    from yishi.cases.tables import CaseMeeting, CaseMeetingUnit
    from yishi.evaluation import case_rates

    w = await ranked_world()
    d, town = w["places"]["district"], w["places"]["town"]
    held = datetime(2026, 11, 20, 15, 0, tzinfo=CHINA)
    meeting = (await CaseMeeting.insert(CaseMeeting(town=town, district=d, state="held", held_at=held,
                                                    created_at=held)).returning(CaseMeeting.id).run())[0]["id"]
    await CaseMeetingUnit.insert(
        CaseMeetingUnit(meeting=meeting, unit=w["a"], reported=True, response_score=5, prep_score=4,
                        slot=f"{meeting}:{w['a']}"),
        CaseMeetingUnit(meeting=meeting, unit=w["b"], reported=False, slot=f"{meeting}:{w['b']}")).run()
    r = await case_ranking.ranking(d, "2026-11", DEC)
    a, b = r.unit(w["a"]), r.unit(w["b"])
    assert (a.meeting, a.absent, a.ranked.score) == (1.0, 0, 1.0)
    assert (b.meeting, b.absent, b.ranked.score) == (0.0, 1, 0.25)  # (0 + 0.75 + 0) / 3
    now, _before = await case_rates.month_rates(d, "2026-11", DEC)
    assert (now.prep_of(town), now.prep_whole) == (0.8, 0.8)
