"""Quorum and majority as pure functions: edge cases."""
import pytest

from yishi.meetings.enums import MemberCategory
from yishi.meetings.rules import Rules, count_votes, more_than, quorum

pytestmark = pytest.mark.pure  # no database: the per-test clean-up is skipped

FIVE = ["party", "worker", "party_member", "grid", "resident"]
# Ten members: the five fixed categories, a second of three of them, and two X.
COUNCIL = dict(enumerate([*FIVE, "worker", "party_member", "resident", "x", "x"], start=1))


def test_more_than_half_of_ten_is_six():
    assert more_than(50, 10) == 6


def test_more_than_half_of_nine_is_five():
    assert more_than(50, 9) == 5


def test_more_than_zero_of_zero_is_one():
    assert more_than(50, 0) == 1


def test_quorum_six_of_ten_with_every_category_met():
    q = quorum(COUNCIL, [1, 2, 3, 4, 5, 9])
    assert (q.met, q.present, q.needed, q.members, q.missing) == (True, 6, 6, 10, ())


def test_quorum_exactly_half_is_not_enough():
    q = quorum(COUNCIL, [1, 2, 3, 4, 5])
    assert (q.met, q.present, q.needed) == (False, 5, 6)


def test_quorum_missing_category_fails_even_with_nine_present():
    q = quorum(COUNCIL, [1, 2, 3, 5, 6, 7, 8, 9, 10])  # no grid worker
    assert q.met is False
    assert q.missing == (MemberCategory.grid,)


def test_quorum_missing_category_allowed_when_rule_off():
    q = quorum(COUNCIL, [1, 2, 3, 5, 6, 7], Rules(quorum_all_fixed=False))
    assert (q.met, q.missing) == (True, ())


def test_quorum_guests_and_strangers_do_not_count():
    q = quorum(COUNCIL, [1, 2, 3, 4, 5, 101, 102, 103])  # 101.. are guests' ids, not members
    assert (q.met, q.present) == (False, 5)


def test_quorum_empty_council_never_met():
    q = quorum({}, [])
    assert (q.met, q.members, q.needed) == (False, 0, 1)


def test_quorum_two_thirds_rule():
    q = quorum(COUNCIL, [1, 2, 3, 4, 5, 6], Rules(quorum_share_pct=66))
    assert (q.met, q.needed) == (False, 7)


def test_count_majority_passes():
    c = count_votes(["yes"] * 4 + ["no"] * 2 + ["abstain"], present=7)
    assert (c.yes, c.no, c.abstain, c.needed, c.passed) == (4, 2, 1, 4, True)


def test_count_tie_fails():
    c = count_votes(["yes"] * 3 + ["no"] * 3, present=6)
    assert (c.needed, c.passed) == (4, False)


def test_count_all_abstain_fails():
    c = count_votes(["abstain"] * 6, present=6)
    assert (c.yes, c.abstain, c.passed) == (0, 6, False)


def test_count_unvoted_members_weigh_against():
    c = count_votes(["yes"] * 3, present=7)
    assert (c.passed, c.not_voted) == (False, 4)


def test_count_nobody_present_fails():
    assert count_votes([], present=0).passed is False


def test_count_configurable_two_thirds():
    # More than 66 % of 9 present is 6.
    assert count_votes(["yes"] * 5 + ["no"] * 4, present=9, rules=Rules(pass_share_pct=66)).passed is False
    assert count_votes(["yes"] * 6 + ["no"] * 3, present=9, rules=Rules(pass_share_pct=66)).passed is True


def test_rules_reject_share_of_100():
    with pytest.raises(ValueError):
        Rules(quorum_share_pct=100)
