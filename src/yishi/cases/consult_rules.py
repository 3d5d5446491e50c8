"""会商's rules as pure functions over plain data: who may take which step of a case meeting in
which state, and what a meeting's decision may do to a case (tests/cases/test_consult_rules.py).

A meeting is 待召开 (planned) → 已召开 (held) → 已办结 (closed); a planned one may be called off.
- The convener's side (the street's staff, or the district's for a 县级会商办) records who came,
  records it as held, decides per case, sets follow-up items, rates each unit's response, closes.
- A summoned unit's clerk reports (报到) before the meeting is closed, answers her unit's
  follow-up items while it is held, and rates the preparation once it was held, if her unit came.
- Each rating is given once (the rankings read it; the audit trail keeps who gave it).

A decision names the 主责 unit. Where the case is not owned yet and the existing dispatch rules
let the convener dispatch it (returned, or sent up to the district), the decision dispatches it
to that unit with the 配合 units as 协办. Where a unit has accepted it, that unit keeps it (首接负责制):
the decision must name it as 主责. Where it waits on a unit's acceptance, the decision must name
that unit, or wait for its 签收 or 退单.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from yishi.cases import rules
from yishi.cases.enums import CaseState, MeetingState
from yishi.cases.rules import Action, Actor
from yishi.core.i18n import _

SCORES = range(1, 6)


class MeetingActor(Enum):
    convener = "convener"  # the street (or, for a 县级会商办, the district) that holds it, or an admin
    unit = "unit"  # the clerk of a summoned unit
    viewer = "viewer"  # may read it: the district on a street's meeting, the street on the district's
    other = "other"


class Step(Enum):
    attendance = "attendance"  # the convener records who came
    report = "report"  # a unit's clerk reports (报到)
    hold = "hold"
    decide = "decide"
    add_item = "add_item"
    answer_item = "answer_item"
    rate_response = "rate_response"  # the convener rates a unit's response
    rate_prep = "rate_prep"  # a unit rates the street's preparation
    close = "close"
    cancel = "cancel"


_CONVENER_STEPS = {
    Step.attendance: {MeetingState.planned, MeetingState.held},
    Step.hold: {MeetingState.planned},
    Step.decide: {MeetingState.held},
    Step.add_item: {MeetingState.held},
    Step.rate_response: {MeetingState.held, MeetingState.closed},
    Step.close: {MeetingState.held},
    Step.cancel: {MeetingState.planned},
}
_UNIT_STEPS = {
    Step.report: {MeetingState.planned, MeetingState.held},
    Step.answer_item: {MeetingState.held},
    Step.rate_prep: {MeetingState.held, MeetingState.closed},
}


def allowed(step: Step, actor: MeetingActor, state: MeetingState) -> bool:
    if actor is MeetingActor.convener:
        return state in _CONVENER_STEPS.get(step, ())
    if actor is MeetingActor.unit:
        return state in _UNIT_STEPS.get(step, ())
    return False


def score(value: int | None) -> int:
    """A rating of 双考核: a whole number 1–5."""
    if value is None or value not in SCORES:
        raise ValueError(_("评分应为 1 到 5 分。"))
    return value


class Effect(Enum):
    dispatch = "dispatch"  # the decision dispatches the case to its 主责 unit (派单 through the rules)
    record = "record"  # the case stays where it is; the decision is recorded beside it


@dataclass(frozen=True)
class CaseNow:
    state: CaseState
    owner_id: int | None
    lead_unit_id: int | None
    escalated: bool
    owner_name: str = ""
    lead_name: str = ""


def decision_effect(case: CaseNow, lead_unit_id: int, actor: Actor) -> Effect:
    """What a decision naming `lead_unit_id` as 主责 does to the case, or a ValueError saying why
    it may not (the message reads to the user)."""
    if case.state is CaseState.closed:
        raise ValueError(_("这件工单已办结，不能再作会商决定。"))
    if case.owner_id is not None:
        if lead_unit_id != case.owner_id:
            raise ValueError(_("“{unit}”已签收这件工单，按首接负责制由它办到办结，会商决定的主责单位只能是它。").format(
                unit=case.owner_name))
        return Effect.record
    if rules.allowed(Action.dispatch, actor, case.state, owned=False, escalated=case.escalated):
        return Effect.dispatch
    if case.lead_unit_id is not None and lead_unit_id == case.lead_unit_id:
        return Effect.record
    if case.state is CaseState.dispatched:
        raise ValueError(_("这件工单已派给“{unit}”，待它签收或退单后才能改派；会商决定的主责单位请选它。").format(
            unit=case.lead_name))
    raise ValueError(_("这件工单现在是“{state}”，会商不能改派。").format(state=case.state.label))
