"""会商's pure rules: which side may take which step in which state, and what a decision does to
a case under 首接负责制."""
from __future__ import annotations

import pytest

from yishi.cases.consult_rules import CaseNow, Effect, MeetingActor, Step, allowed, decision_effect, score
from yishi.cases.enums import CaseState, MeetingState
from yishi.cases.rules import Actor


def steps(actor: MeetingActor, state: MeetingState) -> set[str]:
    return {s.value for s in Step if allowed(s, actor, state)}


def test_convener_steps_per_state():
    assert steps(MeetingActor.convener, MeetingState.planned) == {"attendance", "hold", "cancel"}
    assert steps(MeetingActor.convener, MeetingState.held) == {"attendance", "decide", "add_item", "rate_response",
                                                               "close"}
    assert steps(MeetingActor.convener, MeetingState.closed) == {"rate_response"}
    assert steps(MeetingActor.convener, MeetingState.cancelled) == set()


def test_unit_steps_per_state():
    assert steps(MeetingActor.unit, MeetingState.planned) == {"report"}
    assert steps(MeetingActor.unit, MeetingState.held) == {"report", "answer_item", "rate_prep"}
    assert steps(MeetingActor.unit, MeetingState.closed) == {"rate_prep"}
    assert steps(MeetingActor.unit, MeetingState.cancelled) == set()


@pytest.mark.parametrize("actor", [MeetingActor.viewer, MeetingActor.other])
def test_viewers_and_others_take_no_step(actor):
    assert all(steps(actor, state) == set() for state in MeetingState)


@pytest.mark.parametrize("value", [None, 0, 6, -1])
def test_score_outside_one_to_five_is_refused(value):
    with pytest.raises(ValueError):
        score(value)


def test_score_one_and_five_are_scores():
    assert (score(1), score(5)) == (1, 5)


def case(state, owner=None, lead=None, escalated=False):
    return CaseNow(state=state, owner_id=owner, lead_unit_id=lead, escalated=escalated, owner_name="城管办",
                   lead_name="城管办")


def test_owned_case_keeps_its_owner_whoever_decides():
    assert decision_effect(case(CaseState.accepted, owner=1, lead=1), 1, Actor.street) is Effect.record
    with pytest.raises(ValueError, match="首接负责制"):
        decision_effect(case(CaseState.accepted, owner=1, lead=1), 2, Actor.street)
    with pytest.raises(ValueError, match="首接负责制"):
        decision_effect(case(CaseState.escalated, owner=1, escalated=True), 2, Actor.district)


def test_returned_case_is_dispatched_by_the_street_and_escalated_by_the_district():
    assert decision_effect(case(CaseState.returned), 2, Actor.street) is Effect.dispatch
    assert decision_effect(case(CaseState.escalated, escalated=True), 2, Actor.district) is Effect.dispatch
    with pytest.raises(ValueError, match="不能改派"):
        decision_effect(case(CaseState.escalated, escalated=True), 2, Actor.street)


def test_case_waiting_for_acceptance_keeps_its_unit():
    assert decision_effect(case(CaseState.dispatched, lead=1), 1, Actor.street) is Effect.record
    with pytest.raises(ValueError, match="待它签收或退单"):
        decision_effect(case(CaseState.dispatched, lead=1), 2, Actor.street)


def test_closed_case_takes_no_decision():
    with pytest.raises(ValueError, match="已办结"):
        decision_effect(case(CaseState.closed, owner=1), 1, Actor.street)
