"""接诉即办's pure rules: time limits, colours and who may act in which state."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from yishi.cases import rules
from yishi.cases.enums import CaseKind, CaseState, Urgency
from yishi.cases.rules import Action, Actor, Limits
from yishi.core.dates import CHINA
from yishi.projects.enums import Colour
from yishi.projects.rules import Calendar
from yishi.suggestions.enums import Track

CAL = Calendar()


def china(y, m, d, h=9, mi=0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=CHINA).astimezone(UTC)


def test_clock_normal_case_counts_working_days_after_the_dispatch_day_over_a_holiday():
    # Dispatched Wed 2026-09-30; 1-7 October is the national holiday, Sat 10 Oct a make-up workday:
    # three working days are 8, 9 and 10 October, so the case is due by the end of Saturday.
    c = rules.clock(china(2026, 9, 30), urgency=Urgency.normal, track=Track.now, kind=CaseKind.complaint,
                    limits=Limits(), calendar=CAL)
    assert c.due_at == datetime(2026, 10, 11, 0, 0, tzinfo=CHINA)
    assert c.accept_by == china(2026, 10, 1)


def test_clock_urgent_cases_count_clock_hours():
    c = rules.clock(china(2026, 10, 1, 22), urgency=Urgency.critical, track=Track.study, kind=CaseKind.help,
                    limits=Limits(), calendar=CAL)
    assert c.due_at == china(2026, 10, 2, 0)
    assert c.accept_by == china(2026, 10, 1, 23)


def test_clock_district_days_per_track_and_kind_and_local_holiday():
    limits = Limits(workdays={"deadline": {"consult": 2}})
    local = Calendar({date(2026, 3, 3): False})  # a local day off on Tuesday
    c = rules.clock(china(2026, 3, 2), urgency=Urgency.normal, track=Track.deadline, kind=CaseKind.consult,
                    limits=limits, calendar=local)
    assert c.due_at == datetime(2026, 3, 6, 0, 0, tzinfo=CHINA)  # Wed 4 and Thu 5 March: due by the end of the 5th
    # A kind the district left out falls back to the default.
    assert limits.days_for(Track.deadline, CaseKind.complaint) == 10


def colour(state=CaseState.accepted, urgency=Urgency.normal, now=None, accept_by=None, due_at=None, **kw):
    return rules.colour(state=state, urgency=urgency, now=now, accept_by=accept_by, due_at=due_at,
                        limits=Limits(**kw), calendar=CAL)


DUE_FRI = datetime(2026, 3, 14, 0, 0, tzinfo=CHINA)  # the end of Friday 13 March 2026


@pytest.mark.parametrize(("now", "expected", "reason"), [
    (china(2026, 3, 11), Colour.green, "按期办理中"),  # Wed: two working days left
    (china(2026, 3, 12), Colour.blue, "还有 1 个工作日到期"),
    (china(2026, 3, 13, 23, 59), Colour.blue, "今天到期"),
    (china(2026, 3, 14, 10), Colour.yellow, "已于 3月13日 到期，尚未答复"),  # Saturday: no working day late yet
    (china(2026, 3, 16), Colour.yellow, "已逾期 1 个工作日"),
    (china(2026, 3, 18), Colour.yellow, "已逾期 3 个工作日"),
    (china(2026, 3, 19), Colour.red, "已逾期 4 个工作日"),
])
def test_colour_normal_case_against_its_due_day(now, expected, reason):
    sup = colour(now=now, due_at=DUE_FRI)
    assert (sup.colour, sup.reason) == (expected, reason)


def test_colour_unaccepted_past_the_acceptance_time_is_yellow_and_says_so():
    sup = colour(state=CaseState.dispatched, now=china(2026, 3, 11, 12), accept_by=china(2026, 3, 11, 9),
                 due_at=DUE_FRI)
    assert (sup.colour, sup.reason) == (Colour.yellow, "超过签收时限 3 小时未签收")


def test_colour_overdue_and_unaccepted_shows_red_with_the_worse_reason():
    sup = colour(state=CaseState.dispatched, now=china(2026, 3, 19), accept_by=china(2026, 3, 11), due_at=DUE_FRI)
    assert sup.colour is Colour.red and sup.reasons == ("已逾期 4 个工作日",)


@pytest.mark.parametrize(("hours_left", "expected", "reason"), [
    (1, Colour.blue, "特急件还剩 1 小时"),   # 2 hours allowed: the last half hour... a quarter is 30 min
    (-1, Colour.yellow, "特急件已超时 1 小时"),
    (-3, Colour.red, "特急件已超时 3 小时"),
])
def test_colour_critical_case_in_hours(hours_left, expected, reason):
    due = china(2026, 3, 11, 12)
    now = due - timedelta(hours=hours_left) + (timedelta(minutes=35) if hours_left == 1 else timedelta(0))
    sup = colour(urgency=Urgency.critical, now=now, due_at=due)
    assert (sup.colour, sup.reason) == (expected, reason)


def test_colour_answered_and_closed_are_not_supervised():
    assert colour(state=CaseState.answered, now=china(2026, 4, 1), due_at=DUE_FRI).colour is Colour.none
    assert colour(state=CaseState.closed, now=china(2026, 4, 1), due_at=DUE_FRI).colour is Colour.none


def test_colour_returned_case_waits_for_the_street():
    sup = colour(state=CaseState.returned, now=china(2026, 3, 10), due_at=DUE_FRI)
    assert (sup.colour, sup.reason) == (Colour.green, "待重新派单")


# --- who may act ---------------------------------------------------------------------------------

def test_allowed_dispatch_by_the_street_first_and_after_a_send_back_not_once_owned():
    assert rules.allowed(Action.dispatch, Actor.street, None)
    assert rules.allowed(Action.dispatch, Actor.street, CaseState.returned)
    assert not rules.allowed(Action.dispatch, Actor.street, CaseState.dispatched)
    assert not rules.allowed(Action.dispatch, Actor.lead_unit, None)
    assert not rules.allowed(Action.dispatch, Actor.district, None)
    # 首接负责制: a case a unit accepted is never dispatched elsewhere.
    assert not rules.allowed(Action.dispatch, Actor.street, CaseState.returned, owned=True)


def test_allowed_escalated_case_is_dispatched_and_closed_by_the_district_only():
    assert rules.allowed(Action.dispatch, Actor.district, CaseState.escalated, escalated=True)
    assert not rules.allowed(Action.dispatch, Actor.street, CaseState.escalated, escalated=True)
    assert rules.allowed(Action.dispatch, Actor.district, CaseState.returned, escalated=True)
    assert not rules.allowed(Action.dispatch, Actor.street, CaseState.returned, escalated=True)
    assert rules.allowed(Action.close, Actor.district, CaseState.answered, escalated=True)
    assert not rules.allowed(Action.close, Actor.street, CaseState.answered, escalated=True)
    assert not rules.allowed(Action.escalate, Actor.street, CaseState.accepted, escalated=True)


@pytest.mark.parametrize("state", list(CaseState))
def test_allowed_unit_steps_in_each_state(state):
    assert rules.allowed(Action.accept, Actor.lead_unit, state) == (state is CaseState.dispatched)
    assert rules.allowed(Action.send_back, Actor.lead_unit, state) == (state is CaseState.dispatched)
    assert rules.allowed(Action.reply, Actor.lead_unit, state) == (state is CaseState.accepted)
    for step in (Action.accept, Action.send_back, Action.reply):
        assert not rules.allowed(step, Actor.assist_unit, state)
        assert not rules.allowed(step, Actor.street, state)
    assert rules.allowed(Action.close, Actor.street, state) == (state is CaseState.answered)
    assert not rules.allowed(Action.close, Actor.lead_unit, state)


def test_colour_for_counting_only_stops_at_the_red_line_and_keeps_the_colour():
    long_ago = datetime(2025, 1, 4, 0, 0, tzinfo=CHINA)
    exact = colour(now=china(2026, 3, 19), due_at=long_ago)
    rough = rules.colour(state=CaseState.accepted, urgency=Urgency.normal, now=china(2026, 3, 19), accept_by=None,
                         due_at=long_ago, limits=Limits(), calendar=CAL, exact=False)
    assert (exact.colour, rough.colour) == (Colour.red, Colour.red)
    assert exact.reason == "已逾期 297 个工作日" and rough.reason == "已逾期 4 个工作日"
