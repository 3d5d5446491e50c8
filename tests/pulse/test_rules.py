"""The 民情热度表's pure rules: weeks, the early warning on its edges, the top ten, the shades."""
from datetime import date

import pytest

from yishi.pulse import rules
from yishi.pulse.rules import WarningRule

pytestmark = pytest.mark.pure
RULE = WarningRule(factor=3.0, min_count=5, weeks=8)


def test_week_of_is_monday_and_weeks_back_oldest_first():
    assert rules.week_of(date(2026, 12, 6)) == date(2026, 11, 30)  # a Sunday
    assert rules.week_of(date(2026, 11, 30)) == date(2026, 11, 30)
    assert rules.weeks_back(date(2026, 12, 6), 3) == [date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]


def test_windows_back_are_seven_days_ending_on_the_day():
    assert rules.windows_back(date(2026, 12, 6), 2) == [(date(2026, 11, 23), date(2026, 11, 29)),
                                                        (date(2026, 11, 30), date(2026, 12, 6))]


def test_warning_without_history_never_fires():
    assert RULE.threshold([]) is None
    assert not RULE.fires(100, [])
    assert rules.warnings({"k": 100}, {}, 0, RULE) == []


def test_warning_over_zeros_fires_at_the_minimum_count_only():
    zeros = [0] * 8
    assert RULE.threshold(zeros) == 5
    assert not RULE.fires(4, zeros)
    assert RULE.fires(5, zeros)
    # A key with no row in the history counted none in it: the same as zeros.
    fired = rules.warnings({"养老": 5, "教育": 4}, {}, 8, RULE)
    assert [(w.key, w.count, w.median, w.threshold) for w in fired] == [("养老", 5, 0, 5)]


def test_warning_exactly_at_three_times_the_median_fires_one_below_does_not():
    history = [2, 3, 4, 4, 4, 5, 6, 9]  # median 4: the threshold is 12
    assert RULE.threshold(history) == 12
    assert RULE.fires(12, history)
    assert not RULE.fires(11, history)


def test_warning_minimum_count_wins_over_a_small_median():
    history = [1, 1, 1, 1, 0, 0, 1, 1]  # median 1: three times is 3, but at least 5
    assert RULE.threshold(history) == 5
    assert not RULE.fires(4, history) and RULE.fires(5, history)


def test_warning_uses_only_the_weeks_there_are():
    # Three weeks since the street began: their median (2), not eight weeks' zeros.
    assert rules.warnings({"k": 6}, {"k": [0, 0, 0, 0, 0, 2, 2, 3]}, 3, RULE)[0].median == 2
    assert rules.warnings({"k": 5}, {"k": [2, 2, 3]}, 3, RULE) == []


def test_warnings_largest_rise_first():
    fired = rules.warnings({"a": 9, "b": 30, "c": 1}, {"a": [0] * 8, "b": [5] * 8, "c": [0] * 8}, 8, RULE)
    assert [w.key for w in fired] == ["b", "a"]
    assert fired[0].history == (5,) * 8


def test_describe_states_the_rule():
    text = WarningRule(2.5, 4, 6).describe()
    assert "前 6 周" in text and "2.5 倍" in text and "不少于 4 件" in text


def test_top_ranks_ties_together_and_keeps_last_period():
    ranked = rules.top({"养老": 7, "教育": 7, "医疗": 3, "安全": 0}, {"养老": 2, "交通出行": 9}, n=10)
    assert [(r.key, r.this, r.last, r.rank, r.change) for r in ranked] == [
        ("养老", 7, 2, 1, 5), ("教育", 7, 0, 1, 7), ("医疗", 3, 0, 3, 3)]
    assert len(rules.top({str(i): i for i in range(1, 30)}, {}, n=10)) == 10


def test_bucket_sums_days_into_weeks_and_drops_days_outside():
    buckets = [(date(2026, 11, 23), date(2026, 11, 29)), (date(2026, 11, 30), date(2026, 12, 6))]
    rows = [{"day": date(2026, 11, 23), "n": 2, "c": 1}, {"day": date(2026, 11, 29), "n": 1, "c": 1},
            {"day": date(2026, 12, 1), "n": 4, "c": 1}, {"day": date(2026, 12, 7), "n": 9, "c": 1},
            {"day": date(2026, 12, 6), "n": 1, "c": 2}]
    assert rules.bucket(rows, lambda r: r["c"], buckets) == {1: [3, 4], 2: [0, 1]}


@pytest.mark.parametrize(("count", "peak", "shade"), [(0, 10, 0), (1, 0, 0), (1, 100, 1), (25, 100, 1), (26, 100, 2),
                                                      (75, 100, 3), (76, 100, 4), (100, 100, 4), (1, 1, 4)])
def test_level_is_quarters_of_the_peak(count, peak, shade):
    assert rules.level(count, peak) == shade
