"""办件三率's pure rules: the month's counts of cases, its edges, and the ranking with its flags."""
from datetime import datetime, timedelta

import pytest

from yishi.core.dates import CHINA
from yishi.evaluation import case_rules as cr
from yishi.evaluation.case_rules import CaseFigures, CaseRow, RankRule
from yishi.evaluation.rules import Counts

pytestmark = pytest.mark.pure
NOW = datetime(2026, 12, 20, 12, 0, tzinfo=CHINA)


def at(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=CHINA)


def case(d: datetime, *, accepted: timedelta | None = timedelta(hours=2), closed: timedelta | None = timedelta(days=2),
         due: timedelta = timedelta(days=3), accept: timedelta = timedelta(hours=24)) -> CaseRow:
    return CaseRow(dispatched_at=d, accept_by=d + accept, accepted_at=None if accepted is None else d + accepted,
                   due_at=d + due, closed_at=None if closed is None else d + closed)


def figures(rows: list[CaseRow], month: str = "2026-11", now: datetime = NOW) -> CaseFigures:
    return cr.tally([("x", r) for r in rows], month, now).get("x", CaseFigures())


def test_empty_month_has_no_rates_not_zero():
    f = figures([])
    assert (f.response, f.closure, f.on_time, f.satisfaction, f.score, f.empty) == (None, None, None, None, None, True)


def test_all_on_time():
    f = figures([case(at(3)), case(at(10)), case(at(15))])
    assert (f.dispatched, f.response, f.closure, f.on_time) == (3, 1.0, 1.0, 1.0)


def test_none_on_time():
    rows = [case(at(3), accepted=timedelta(hours=30), closed=timedelta(days=5)) for _ in range(4)]
    f = figures(rows)
    assert (f.accept_due, f.accepted_on_time, f.response) == (4, 0, 0.0)
    assert (f.closure, f.on_time) == (1.0, 0.0)  # all closed, none by the deadline


def test_unclosed_case_past_deadline_lowers_closure_only():
    f = figures([case(at(3)), case(at(4), closed=None)])
    assert (f.due, f.due_closed, f.closure, f.closed, f.on_time) == (2, 1, 0.5, 1, 1.0)


def test_case_within_its_acceptance_time_is_not_counted_yet():
    now = at(30, 12)
    f = figures([case(at(30, 10), accepted=None)], now=now)
    assert (f.dispatched, f.accept_due, f.response) == (1, 0, None)
    f = figures([case(at(28), accepted=None)], now=now)  # its 24 hours are over, still unsigned
    assert (f.accept_due, f.response) == (1, 0.0)


def test_returned_case_without_acceptance_time_waits_on_the_street():
    row = CaseRow(dispatched_at=at(5), accept_by=None, accepted_at=None, due_at=None, closed_at=None)
    f = figures([row])
    assert (f.dispatched, f.accept_due, f.response) == (1, 0, None)


def test_deadline_at_midnight_on_the_first_belongs_to_the_month_before():
    midnight = datetime(2026, 12, 1, 0, 0, tzinfo=CHINA)  # "due on 30 November" (cases.rules.end_of_day)
    row = CaseRow(dispatched_at=at(25), accept_by=at(26), accepted_at=at(25, 12), due_at=midnight, closed_at=None)
    assert (figures([row]).due, figures([row], "2026-12").due) == (1, 0)
    later = CaseRow(due_at=midnight + timedelta(seconds=1))
    assert (figures([later]).due, figures([later], "2026-12").due) == (0, 1)


def test_month_starts_at_midnight_china_time():
    start = datetime(2026, 11, 1, 0, 0, tzinfo=CHINA)
    just_before = CaseRow(dispatched_at=start - timedelta(seconds=1))
    on_the_dot = CaseRow(dispatched_at=start)
    assert (figures([just_before]).dispatched, figures([on_the_dot]).dispatched) == (0, 1)
    assert figures([just_before], "2026-10").dispatched == 1


def test_case_dispatched_late_is_judged_in_the_month_it_is_due():
    row = case(at(29), closed=None, due=timedelta(days=10))
    nov, dec = figures([row]), figures([row], "2026-12")
    assert (nov.dispatched, nov.due, nov.closure) == (1, 0, None)
    assert (dec.dispatched, dec.due, dec.closure) == (0, 1, 0.0)


def test_on_time_counts_cases_closed_in_the_month():
    row = case(at(25), closed=timedelta(days=8), due=timedelta(days=3))  # closed 3 December, late
    assert (figures([row]).closed, figures([row], "2026-12").closed, figures([row], "2026-12").on_time) == (0, 1, 0.0)


def test_year_boundary():
    assert cr.next_month("2026-12") == "2027-01"
    assert cr.month_span("2026-12")[1] == datetime(2027, 1, 1, tzinfo=CHINA)


def test_score_is_mean_of_known_rates_with_satisfaction():
    f = figures([case(at(3)), case(at(4), closed=None)])
    cr.add_ratings(f, Counts(satisfied=1, basic=1, unsatisfied=2), Counts(satisfied=5))
    assert (f.satisfaction, f.telephone.total) == (0.5, 5)
    assert f.score == pytest.approx((1.0 + 0.5 + 0.5) / 3)


# --- the ranking -------------------------------------------------------------------------------

RULE = RankRule(min_cases=3, bottom_n=1, bottom_below=0.9, top_volume_n=1)


def test_rank_best_first_ties_share_and_unranked_last():
    rows = cr.rank({"a": 0.9, "b": 0.8, "c": 0.8, "d": 0.5, "e": None, "f": 0.99},
                   {"a": 5, "b": 5, "c": 5, "d": 9, "e": 4, "f": 2}, {"a": 0.8}, RULE)
    assert [(r.key, r.rank) for r in rows] == [("a", 1), ("b", 2), ("c", 2), ("d", 4), ("e", None), ("f", None)]
    assert rows[0].change == 10.0 and rows[1].change is None


def test_rank_flags_the_last_below_the_line_and_the_biggest_volume():
    rows = {r.key: r for r in cr.rank({"a": 0.95, "b": 0.8, "c": 0.6}, {"a": 3, "b": 10, "c": 4}, {}, RULE)}
    assert [k for k, r in rows.items() if r.bottom] == ["c"]
    assert [k for k, r in rows.items() if r.top_volume] == ["b"]
    assert (rows["a"].flagged, rows["b"].flagged, rows["c"].flagged) == (False, True, True)


def test_rank_last_place_above_the_line_is_not_flagged():
    rows = cr.rank({"a": 0.99, "b": 0.95}, {"a": 5, "b": 5}, {}, RuleAll := RankRule(3, 1, 0.9, 0))
    assert [r.bottom for r in rows] == [False, False]
    assert RuleAll.top_volume_n == 0 and not any(r.top_volume for r in rows)


def test_rank_tie_at_the_bottom_flags_both():
    rows = cr.rank({"a": 0.9, "b": 0.5, "c": 0.5}, {"a": 5, "b": 5, "c": 5}, {}, RULE)
    assert [r.key for r in rows if r.bottom] == ["b", "c"]


def test_rank_with_too_few_cases_is_neither_ranked_nor_bottom():
    rows = cr.rank({"a": 0.1}, {"a": 2}, {}, RULE)
    assert (rows[0].rank, rows[0].bottom, rows[0].top_volume) == (None, False, True)


def test_rank_nothing():
    assert cr.rank({}, {}, {}, RULE) == []


# --- 双考核 ------------------------------------------------------------------------------------------

def test_meeting_score_counts_absences_as_zero_and_leaves_unscored_out():
    m = cr.meeting_score([{"reported": True, "response_score": 5}, {"reported": False, "response_score": None},
                          {"reported": True, "response_score": None}, {"reported": True, "response_score": 3}])
    assert (m.score, m.summoned, m.absent) == (pytest.approx((1 + 0 + 0.6) / 3), 4, 1)


def test_meeting_score_with_nothing_scored_is_none():
    assert cr.meeting_score([{"reported": True, "response_score": None}]).score is None
    assert cr.meeting_score([]) == cr.MeetingScore(None, 0, 0)


def test_prep_score_is_the_mean_of_scores_given():
    assert (cr.prep_score([5, 4, None]), cr.prep_score([None]), cr.prep_score([])) == (0.9, None, None)


def test_rule_describes_only_the_flags_it_sets():
    assert "接诉量前列" not in RankRule(3, 2, 0.8, 0).describe() and "最后 2 名且综合得分低于 80%" in RankRule(
        3, 2, 0.8, 0).describe()
    assert "末位" not in RankRule(3, 0, 0.8, 0).describe() and "约谈" not in RankRule(3, 0, 0.8, 0).describe()
