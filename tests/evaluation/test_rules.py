"""评实效's pure rules: 满意率, advice, bands and ranking, the ledger's due dates and colours."""
from datetime import date

import pytest

from yishi.evaluation import rules
from yishi.evaluation.enums import Advice, Band, CaseColour
from yishi.evaluation.rules import AdviceRule, BandRule, Counts
from yishi.projects.enums import ProjectState as S
from yishi.projects.rules import Calendar

pytestmark = pytest.mark.pure
RULE = AdviceRule(extend_at=0.9, min_ratings=10)


def test_satisfaction_with_no_ratings_is_none():
    assert (Counts().total, Counts().satisfaction) == (0, None)


def test_satisfaction_counts_basic_as_satisfied():
    assert Counts(satisfied=6, basic=2, unsatisfied=2).satisfaction == 0.8


def test_tally_puts_telephone_apart():
    t = rules.tally([("satisfied", "online"), ("unsatisfied", "paper"), ("basic", "telephone"),
                     ("unsatisfied", "telephone")])
    assert (t.residents, t.telephone) == (Counts(1, 0, 1), Counts(0, 1, 1))
    assert (t.residents.satisfaction, t.telephone.satisfaction) == (0.5, 0.5)


def test_advise_with_no_ratings_watches():
    assert rules.advise(S.written_off, Counts(), RULE) is Advice.watch


def test_advise_with_one_rating_watches():
    assert rules.advise(S.written_off, Counts(satisfied=1), RULE) is Advice.watch


def test_advise_tie_at_threshold_extends():
    assert rules.advise(S.written_off, Counts(satisfied=8, basic=1, unsatisfied=1), RULE) is Advice.extend


def test_advise_just_below_threshold_drops():
    assert rules.advise(S.written_off, Counts(satisfied=17, basic=0, unsatisfied=3), RULE) is Advice.drop


def test_advise_tie_at_min_ratings_is_enough():
    assert rules.advise(S.written_off, Counts(satisfied=10), RULE) is Advice.extend
    assert rules.advise(S.written_off, Counts(satisfied=9), RULE) is Advice.watch


def test_advise_reopened_project_waits():
    assert rules.advise(S.underway, Counts(satisfied=50), RULE) is None


def test_advice_rule_describes_its_thresholds():
    assert RULE.describe() == ("满意率不低于 90% 且评价不少于 10 条：深化推广；"
                               "评价不少于 10 条但满意率低于 90%：次年退出；评价少于 10 条：待观察。")


def test_score_is_the_mean_of_known_rates():
    assert rules.score((0.9, None, 0.7)) == pytest.approx(0.8)
    assert rules.score((None, None, None)) is None


def test_band_advanced_at_threshold_tie():
    assert rules.band(0.9, None, BandRule()) is Band.advanced


def test_band_improving_beats_rectify():
    assert rules.band(0.6, 5.0, BandRule()) is Band.improving
    assert rules.band(0.6, 4.9, BandRule()) is Band.rectify
    assert rules.band(0.7, None, BandRule()) is Band.none


def test_rank_shares_ties_and_puts_unscored_last():
    ranked = rules.rank({"甲": 0.95, "乙": 0.8, "丙": 0.8, "丁": 0.5, "戊": None},
                        {"甲": 0.9, "乙": 0.7, "丙": 0.8, "丁": None}, BandRule())
    assert [(r.key, r.rank, r.change, r.band) for r in ranked] == [
        ("甲", 1, 5.0, Band.advanced), ("乙", 2, 10.0, Band.improving), ("丙", 2, 0.0, Band.none),
        ("丁", 4, None, Band.rectify), ("戊", None, None, Band.none)]


def test_previous_month_wraps_the_year():
    assert (rules.previous_month("2026-01"), rules.previous_month("2026-11")) == ("2025-12", "2026-10")
    assert rules.month_bounds("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))


def test_add_workdays_skips_the_national_day_holiday():
    cal = Calendar()
    assert cal.add_workdays(date(2026, 11, 6), 5) == date(2026, 11, 13)  # Fri -> next Fri
    assert Calendar({date(2026, 11, 9): False}).add_workdays(date(2026, 11, 6), 1) == date(2026, 11, 10)


def test_case_colour_yellow_then_red():
    cal = Calendar()
    due = date(2026, 11, 13)  # Friday
    kw = dict(due=due, red_after=3, calendar=cal)
    assert rules.case_colour(answered=False, today=due, **kw) is CaseColour.open
    assert rules.case_colour(answered=False, today=date(2026, 11, 16), **kw) is CaseColour.yellow
    assert rules.case_colour(answered=False, today=date(2026, 11, 18), **kw) is CaseColour.yellow
    assert rules.case_colour(answered=False, today=date(2026, 11, 19), **kw) is CaseColour.red
    assert rules.case_colour(answered=True, today=date(2026, 12, 30), **kw) is CaseColour.answered


def test_weighted_score_on_a_hundred():
    system = [{"name": "办理响应度", "weight": 25}, {"name": "完成质量", "weight": 75}]
    assert rules.weighted_score(system, {"办理响应度": 5, "完成质量": 3}) == 70.0
    assert rules.weighted_score([], {}) == 0.0


def test_pct_text():
    assert (rules.pct_text(0.9), rules.pct_text(0.8567), rules.pct_text(None)) == ("90", "85.7", "—")
