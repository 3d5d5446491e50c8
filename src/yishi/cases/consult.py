"""会商: a case meeting (吹哨报到, 现场办公会, 联席会商) on one or more hard cases, held by the
street or, for cases sent up, by the district (县级会商办). The street blows the whistle (the
units summoned), the units report (报到), the meeting decides per case (主责, 配合, what, by when)
and sets follow-up items that the units answer; afterwards each side rates the other (双考核).
Also the 协办意见 an assisting unit writes on a case.

Each step is one function that checks the actor and the meeting's state (consult_rules.allowed),
changes the rows only if nobody changed the state meanwhile, and writes an audit entry on the
meeting (its history) and, for the steps that touch a case, on the case's suggestion (the case's
history). No web imports."""
from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import Combinable

from yishi.accounts.enums import Role
from yishi.accounts.permissions import id_of, is_admin, is_district_reviewer_of, is_town_staff, role_of
from yishi.accounts.tables import Unit
from yishi.cases import consult_rules as crules
from yishi.cases import permissions as perm
from yishi.cases import services as cases
from yishi.cases.consult_rules import MeetingActor, Step
from yishi.cases.enums import CaseState, MeetingKind, MeetingLevel, MeetingState
from yishi.cases.tables import Case, CaseMeeting, CaseMeetingCase, CaseMeetingItem, CaseMeetingUnit, CaseOpinion
from yishi.core import audit, dates, db
from yishi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from yishi.core.i18n import N_, _, stored

CASES_MAX = 10
UNITS_MAX = 12
NOTE_MAX = 500


def _ids(value: Any) -> list[int]:
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return [int(v) for v in value or []]


# --- reading -----------------------------------------------------------------------------------

async def _unit_names(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {r["id"]: r["name"] for r in await Unit.select(Unit.id, Unit.name).where(Unit.id.is_in(ids)).run()}


def where_of(meeting: dict, unit_ids: tuple[int, ...]) -> perm.MeetingWhere:
    return perm.MeetingWhere(town_id=meeting["town"], district_id=meeting["district"],
                             district_level=meeting["level"] is MeetingLevel.district, unit_ids=unit_ids)


def _typed(row: dict) -> dict:
    row["level"] = MeetingLevel(row["level"])
    row["kind"] = MeetingKind(row["kind"])
    row["state"] = MeetingState(row["state"])
    return row


async def get_meeting(meeting_id: int) -> dict:
    """The meeting with its units, cases (and decisions), follow-up items and `where` (guards)."""
    row = await CaseMeeting.select(*CaseMeeting.all_columns(), CaseMeeting.town.name.as_alias("town_name")).where(
        CaseMeeting.id == meeting_id).first().run()
    if row is None:
        raise NotFound(_("找不到这次会商。"))
    row = _typed(row)
    row["units"] = await CaseMeetingUnit.select(
        *CaseMeetingUnit.all_columns(), CaseMeetingUnit.unit.name.as_alias("name")).where(
        CaseMeetingUnit.meeting == meeting_id).order_by(CaseMeetingUnit.id).run()
    agenda = await CaseMeetingCase.select(
        *CaseMeetingCase.all_columns(), CaseMeetingCase.lead_unit.name.as_alias("lead_name"),
        CaseMeetingCase.case.suggestion.as_alias("suggestion"),
        CaseMeetingCase.case._.suggestion.tracking_code.as_alias("tracking_code"),
        CaseMeetingCase.case._.suggestion.content.as_alias("content"),
        CaseMeetingCase.case.state.as_alias("case_state"),
        CaseMeetingCase.case._.owner.name.as_alias("owner_name"), CaseMeetingCase.case.owner.as_alias("case_owner"),
        CaseMeetingCase.case.lead_unit.as_alias("case_lead_unit"),
        CaseMeetingCase.case._.lead_unit.name.as_alias("case_lead_name")).where(
        CaseMeetingCase.meeting == meeting_id).order_by(CaseMeetingCase.id).run()
    names = {u["unit"]: u["name"] for u in row["units"]}
    extra = await _unit_names([i for a in agenda for i in _ids(a["assist_units"]) if i not in names])
    for a in agenda:
        a["case_state"] = CaseState(a["case_state"])
        a["assist_ids"] = _ids(a["assist_units"])
        a["assist_names"] = [names.get(i) or extra.get(i, "") for i in a["assist_ids"]]
    row["cases"] = agenda
    row["follow_ups"] = await CaseMeetingItem.select(
        *CaseMeetingItem.all_columns(), CaseMeetingItem.unit.name.as_alias("unit_name"),
        CaseMeetingItem.case._.suggestion.tracking_code.as_alias("tracking_code")).where(
        CaseMeetingItem.meeting == meeting_id).order_by(CaseMeetingItem.id).run()
    row["where"] = where_of(row, tuple(u["unit"] for u in row["units"]))
    return row


def actor_of(user: Any, meeting: dict) -> MeetingActor:
    return perm.meeting_actor_of(user, meeting["where"])


def _check(step: Step, user: Any, meeting: dict, doing: str) -> MeetingActor:
    actor = actor_of(user, meeting)
    if crules.allowed(step, actor, meeting["state"]):
        return actor
    if actor in (MeetingActor.other, MeetingActor.viewer) or (
            actor is MeetingActor.unit and step not in (Step.report, Step.answer_item, Step.rate_prep)) or (
            actor is MeetingActor.convener and step in (Step.report, Step.answer_item, Step.rate_prep)):
        raise Forbidden(_("这次会商不由您{doing}。").format(doing=doing))
    raise Conflict(_("这次会商现在是“{state}”，不能{doing}。请刷新页面查看最新情况。").format(
        state=meeting["state"].label, doing=doing))


def _clerk_row(user: Any, meeting: dict) -> dict:
    unit = perm.clerk_unit(user)
    row = next((u for u in meeting["units"] if u["unit"] == unit), None)
    if row is None:
        raise Forbidden(_("您的单位没有被召集参加这次会商。"))
    return row


async def _move(meeting_id: int, expected: MeetingState, values: dict[Any, Any], doing: str) -> None:
    changed = await CaseMeeting.update(values).where(
        (CaseMeeting.id == meeting_id) & (CaseMeeting.state == expected)).returning(CaseMeeting.id).run()
    if not changed:
        raise Conflict(_("这次会商刚被其他人处理过，不能{doing}。请刷新页面查看最新情况。").format(doing=doing))


async def _record(action: str, actor: Any, meeting_id: int, **data: Any) -> None:
    await audit.record(action, actor=actor, object_type="case_meeting", object_id=meeting_id, **data)


# --- 召集 (吹哨) ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Call:
    kind: MeetingKind
    held_at: datetime | None
    place: str
    topic: str
    case_ids: tuple[int, ...]
    unit_ids: tuple[int, ...]


async def call(c: Call, *, actor: Any, now: datetime | None = None) -> int:
    """吹哨: call a meeting on cases of one street (its staff), or on cases sent up to the
    district (县级会商办, the district's reviewer), summoning units of the district's directory."""
    if not perm.can_call_meeting(actor):
        raise Forbidden(_("只有街道工作人员和区级审核人员可以召集会商。"))
    errors: dict[str, str] = {}
    if c.held_at is None:
        errors["held_at"] = _("请填写会商时间。")
    topic = c.topic.strip()
    if not topic:
        errors["topic"] = _("请填写会商议题。")
    elif len(topic) > 200:
        errors["topic"] = _("不能超过 {n} 个字。").format(n=200)
    place = c.place.strip()
    if len(place) > 100:
        errors["place"] = _("不能超过 {n} 个字。").format(n=100)
    case_ids = list(dict.fromkeys(c.case_ids))
    unit_ids = list(dict.fromkeys(c.unit_ids))
    if not case_ids:
        errors["cases"] = _("请至少选择一件工单。")
    elif len(case_ids) > CASES_MAX:
        errors["cases"] = _("一次会商最多 {n} 件工单。").format(n=CASES_MAX)
    if not unit_ids:
        errors["units"] = _("请至少召集一个单位。")
    elif len(unit_ids) > UNITS_MAX:
        errors["units"] = _("一次会商最多召集 {n} 个单位。").format(n=UNITS_MAX)
    if errors:
        first = next(iter(errors))
        raise InvalidInput(errors[first], first, errors)
    rows = await Case.select(Case.id, Case.suggestion, Case.town, Case.district, Case.state, Case.escalated_at).where(
        Case.id.is_in(case_ids)).run()
    if len(rows) != len(case_ids):
        raise InvalidInput(_("所选工单有的已不存在，请重新选择。"), "cases")
    role = role_of(actor)
    escalated = all(r["escalated_at"] is not None for r in rows)
    district_level = role is Role.district_reviewer or (role is Role.admin and escalated)
    districts = {r["district"] for r in rows}
    towns = {r["town"] for r in rows}
    if len(districts) != 1:
        raise InvalidInput(_("所选工单不在同一个区。"), "cases")
    district_id = districts.pop()
    if district_level:
        if not (is_admin(actor) or is_district_reviewer_of(actor, district_id)):
            raise Forbidden(_("这些工单不属于本区。"))
        if not escalated:
            raise InvalidInput(_("县级会商办只议已提级到区里的工单。"), "cases")
    else:
        if len(towns) != 1 or not (is_admin(actor) or is_town_staff(actor, next(iter(towns)))):
            raise InvalidInput(_("只能选择本街道的工单。"), "cases")
    if any(r["state"] == CaseState.closed.value for r in rows):
        raise InvalidInput(_("已办结的工单不能再会商。"), "cases")
    names = await cases.active_units(district_id, unit_ids)
    if len(names) != len(unit_ids):
        raise InvalidInput(_("所选单位不在本区单位名录中（或已停用），请重新选择。"), "units")
    now = now or dates.now()
    level = MeetingLevel.district if district_level else MeetingLevel.street
    town = next(iter(towns)) if len(towns) == 1 else None
    async with cases.transaction():
        made = await CaseMeeting.insert(CaseMeeting(
            town=town, district=district_id, level=level, kind=c.kind, state=MeetingState.planned,
            held_at=c.held_at, place=place, topic=topic, convened_by=getattr(actor, "id", None),
            convener_name=getattr(actor, "display_name", "") or "", created_at=now)).returning(CaseMeeting.id).run()
        meeting_id = made[0]["id"]
        for r in rows:
            await CaseMeetingCase.insert(CaseMeetingCase(meeting=meeting_id, case=r["id"],
                                                         slot=f"{meeting_id}:{r['id']}")).run()
        for u in unit_ids:
            await CaseMeetingUnit.insert(CaseMeetingUnit(meeting=meeting_id, unit=u, slot=f"{meeting_id}:{u}")).run()
        summoned = [names[u] for u in unit_ids]
        await _record("case.meeting.called", actor, meeting_id, kind=c.kind.value, level=level.value,
                      units=summoned, cases=case_ids, held_at=c.held_at.isoformat() if c.held_at else None)
        for r in rows:
            await audit.record("case.meeting.called", actor=actor, object_type="suggestion",
                               object_id=r["suggestion"], case=r["id"], meeting=meeting_id, kind=c.kind.value,
                               units=summoned)
    return meeting_id


# --- 报到 and attendance ---------------------------------------------------------------------------

async def report(meeting_id: int, attendee: str, *, actor: Any, now: datetime | None = None) -> None:
    """报到: a summoned unit's clerk says her unit came, and who came for it."""
    meeting = await get_meeting(meeting_id)
    _check(Step.report, actor, meeting, _("报到"))
    row = _clerk_row(actor, meeting)
    attendee = cases.clean_text(attendee, "attendee", limit=80) or getattr(actor, "display_name", "")
    if row["reported"]:
        raise Conflict(_("本单位已经报到。"))
    await CaseMeetingUnit.update({CaseMeetingUnit.reported: True, CaseMeetingUnit.reported_at: now or dates.now(),
                                  CaseMeetingUnit.reported_by: actor.id, CaseMeetingUnit.attendee: attendee}).where(
        CaseMeetingUnit.id == row["id"]).run()
    await _record("case.meeting.reported", actor, meeting_id, unit=row["name"], attendee=attendee)


async def record_attendance(meeting_id: int, present: dict[int, str], *, actor: Any,
                            now: datetime | None = None) -> None:
    """The convener's record of who came: `present` maps each unit that reported to who came for
    it; a summoned unit not in it did not report (未报到), whatever it said before."""
    meeting = await get_meeting(meeting_id)
    _check(Step.attendance, actor, meeting, _("登记报到"))
    summoned = {u["unit"]: u for u in meeting["units"]}
    if set(present) - set(summoned):
        raise InvalidInput(_("只能登记被召集的单位。"), "present")
    now = now or dates.now()
    came, absent = [], []
    async with cases.transaction():
        for unit_id, row in summoned.items():
            if unit_id in present:
                attendee = cases.clean_text(present[unit_id], f"attendee_{unit_id}", limit=80) or row["attendee"]
                values: dict[Any, Any] = {CaseMeetingUnit.reported: True, CaseMeetingUnit.attendee: attendee}
                if not row["reported"]:
                    values.update({CaseMeetingUnit.reported_at: now, CaseMeetingUnit.reported_by: actor.id})
                came.append(row["name"])
            else:
                values = {CaseMeetingUnit.reported: False, CaseMeetingUnit.reported_at: None,
                          CaseMeetingUnit.reported_by: None, CaseMeetingUnit.attendee: ""}
                absent.append(row["name"])
            await CaseMeetingUnit.update(values).where(CaseMeetingUnit.id == row["id"]).run()
        await _record("case.meeting.attendance", actor, meeting_id, came=came, absent=absent)


# --- the meeting's states ----------------------------------------------------------------------------

async def hold(meeting_id: int, summary: str, *, actor: Any, held_at: datetime | None = None) -> None:
    """待召开 → 已召开: the meeting took place; its minutes (纪要) and, if it moved, its time."""
    meeting = await get_meeting(meeting_id)
    _check(Step.hold, actor, meeting, _("记为已召开"))
    summary = cases.clean_text(summary, "summary", required=_("请填写会议纪要（议了什么、怎么定的）。"))
    values: dict[Any, Any] = {CaseMeeting.state: MeetingState.held, CaseMeeting.summary: summary}
    if held_at is not None:
        values[CaseMeeting.held_at] = held_at
    async with cases.transaction():
        await _move(meeting_id, MeetingState.planned, values, _("记为已召开"))
        await _record("case.meeting.held", actor, meeting_id,
                      absent=[u["name"] for u in meeting["units"] if not u["reported"]])


async def close(meeting_id: int, *, actor: Any, now: datetime | None = None) -> None:
    """已召开 → 已办结: the meeting's business is done; its open follow-up items stay on record."""
    meeting = await get_meeting(meeting_id)
    _check(Step.close, actor, meeting, _("办结会商"))
    async with cases.transaction():
        await _move(meeting_id, MeetingState.held, {CaseMeeting.state: MeetingState.closed,
                                                   CaseMeeting.closed_at: now or dates.now()}, _("办结会商"))
        await _record("case.meeting.closed", actor, meeting_id,
                      open_items=sum(1 for i in meeting["follow_ups"] if i["answered_at"] is None))


async def cancel(meeting_id: int, reason: str, *, actor: Any) -> None:
    """待召开 → 已取消, with the reason the units read."""
    meeting = await get_meeting(meeting_id)
    _check(Step.cancel, actor, meeting, _("取消会商"))
    reason = cases.clean_text(reason, "cancel_reason", required=_("取消会商必须写明理由，被召集的单位会看到。"))
    async with cases.transaction():
        await _move(meeting_id, MeetingState.planned, {CaseMeeting.state: MeetingState.cancelled,
                                                      CaseMeeting.cancel_reason: reason}, _("取消会商"))
        await _record("case.meeting.cancelled", actor, meeting_id, reason=reason)


# --- the decision per case --------------------------------------------------------------------------

@dataclass(frozen=True)
class Decision:
    case_id: int
    lead_unit_id: int | None
    assist_unit_ids: tuple[int, ...]
    text: str
    due_on: date | None


async def decide(meeting_id: int, d: Decision, *, actor: Any) -> crules.Effect:
    """The meeting's decision on one of its cases: 主责 and 配合 units, what, by when. Where the
    case is not owned and the dispatch rules allow it, the case is dispatched accordingly; where
    a unit owns it (首接负责制) the decision must name that unit."""
    meeting = await get_meeting(meeting_id)
    _check(Step.decide, actor, meeting, _("作会商决定"))
    entry = next((a for a in meeting["cases"] if a["case"] == d.case_id), None)
    if entry is None:
        raise InvalidInput(_("这件工单不在本次会商的议题中。"), "case")
    if d.lead_unit_id is None:
        raise InvalidInput(_("请选择主责单位。"), "lead_unit")
    assists = [u for u in dict.fromkeys(d.assist_unit_ids) if u != d.lead_unit_id]
    if len(assists) > cases.ASSIST_MAX:
        raise InvalidInput(_("配合单位最多 {n} 个。").format(n=cases.ASSIST_MAX), "assist")
    text = cases.clean_text(d.text, "decision", required=_("请写明会商决定：由谁做什么。"))
    if d.due_on is None:
        raise InvalidInput(_("请填写办结时限。"), "due_on")
    names = await cases.active_units(meeting["district"], [d.lead_unit_id, *assists])
    if len(names) != 1 + len(assists):
        raise InvalidInput(_("所选单位不在本区单位名录中（或已停用），请重新选择。"), "lead_unit")
    case = await cases.get_case(d.case_id)
    now_case = crules.CaseNow(state=case["state"], owner_id=case["owner"], lead_unit_id=case["lead_unit"],
                              escalated=bool(case["escalated_at"]), owner_name=case["owner_name"] or "",
                              lead_name=case["lead_unit_name"] or "")
    try:
        effect = crules.decision_effect(now_case, d.lead_unit_id, perm.actor_of(actor, case["where"]))
    except ValueError as exc:
        raise Conflict(str(exc)) from None
    # One transaction: a case dispatched by the decision is never left without the decision on record.
    async with cases.transaction():
        if effect is crules.Effect.dispatch:
            await cases.dispatch(case["suggestion"], cases.Dispatch(
                d.lead_unit_id, tuple(assists), kind=case["kind"], urgency=case["urgency"], track=case["track"],
                note=stored(N_("会商决定：{text}")).format(text=text)[:cases.TEXT_MAX]), actor=actor)
        await CaseMeetingCase.update({
            CaseMeetingCase.lead_unit: d.lead_unit_id, CaseMeetingCase.assist_units: json.dumps(assists),
            CaseMeetingCase.decision: text, CaseMeetingCase.due_on: d.due_on, CaseMeetingCase.decided_at: dates.now(),
            CaseMeetingCase.dispatched: effect is crules.Effect.dispatch}).where(
            CaseMeetingCase.id == entry["id"]).run()
        data = {"case": d.case_id, "lead": names[d.lead_unit_id], "assists": [names[u] for u in assists],
                "due": d.due_on.isoformat(), "dispatched": effect is crules.Effect.dispatch}
        await _record("case.meeting.decided", actor, meeting_id, **data)
        await audit.record("case.meeting.decided", actor=actor, object_type="suggestion",
                           object_id=case["suggestion"], meeting=meeting_id, **data)
    return effect


# --- follow-up items ----------------------------------------------------------------------------------

async def add_item(meeting_id: int, unit_id: int | None, case_id: int | None, what: str, due_on: date | None, *,
                   actor: Any, now: datetime | None = None) -> int:
    meeting = await get_meeting(meeting_id)
    _check(Step.add_item, actor, meeting, _("布置会后事项"))
    row = next((u for u in meeting["units"] if u["unit"] == unit_id), None)
    if row is None:
        raise InvalidInput(_("请从被召集的单位中选择承办单位。"), "unit")
    if case_id is not None and case_id not in {a["case"] for a in meeting["cases"]}:
        raise InvalidInput(_("这件工单不在本次会商的议题中。"), "case")
    what = cases.clean_text(what, "what", required=_("请写明会后事项要做什么。"))
    if due_on is None:
        raise InvalidInput(_("请填写会后事项的完成期限。"), "due_on")
    async with cases.transaction():
        made = await CaseMeetingItem.insert(CaseMeetingItem(
            meeting=meeting_id, unit=row["unit"], case=case_id, what=what, due_on=due_on,
            created_at=now or dates.now())).returning(CaseMeetingItem.id).run()
        await _record("case.meeting.item_added", actor, meeting_id, item=made[0]["id"], unit=row["name"],
                      what=what, due=due_on.isoformat())
    return made[0]["id"]


async def answer_item(meeting_id: int, item_id: int, text: str, *, actor: Any, now: datetime | None = None) -> None:
    """A unit's clerk answers her unit's follow-up item (what was done)."""
    meeting = await get_meeting(meeting_id)
    _check(Step.answer_item, actor, meeting, _("答复会后事项"))
    item = next((i for i in meeting["follow_ups"] if i["id"] == item_id), None)
    if item is None:
        raise NotFound(_("找不到这项会后事项。"))
    if item["unit"] != perm.clerk_unit(actor):
        raise Forbidden(_("这项会后事项不归您的单位。"))
    text = cases.clean_text(text, "answer", required=_("请写明办理情况。"))
    changed = await CaseMeetingItem.update({CaseMeetingItem.answer: text,
                                            CaseMeetingItem.answered_at: now or dates.now(),
                                            CaseMeetingItem.answered_by: actor.id}).where(
        (CaseMeetingItem.id == item_id) & CaseMeetingItem.answered_at.is_null()).returning(CaseMeetingItem.id).run()
    if not changed:
        raise Conflict(_("这项会后事项已经答复过了。"))
    await _record("case.meeting.item_answered", actor, meeting_id, item=item_id, unit=item["unit_name"])


# --- 双考核 ---------------------------------------------------------------------------------------------

def _score(value: int | None) -> int:
    try:
        return crules.score(value)
    except ValueError as exc:
        raise InvalidInput(str(exc), "score") from None


async def rate_response(meeting_id: int, unit_id: int | None, score: int | None, note: str, *,
                        actor: Any, now: datetime | None = None) -> None:
    """The street's rating of a summoned unit's response (1–5 + note), once; a unit that did not
    report is rated as such (its `reported` stays False beside the score)."""
    meeting = await get_meeting(meeting_id)
    _check(Step.rate_response, actor, meeting, _("评价单位响应"))
    row = next((u for u in meeting["units"] if u["unit"] == unit_id), None)
    if row is None:
        raise InvalidInput(_("请从被召集的单位中选择。"), "unit")
    score = _score(score)
    note = cases.clean_text(note, "note", limit=NOTE_MAX)
    changed = await CaseMeetingUnit.update({CaseMeetingUnit.response_score: score, CaseMeetingUnit.response_note: note,
                                            CaseMeetingUnit.response_rated_at: now or dates.now()}).where(
        (CaseMeetingUnit.id == row["id"]) & CaseMeetingUnit.response_score.is_null()).returning(
        CaseMeetingUnit.id).run()
    if not changed:
        raise Conflict(_("“{unit}”的响应已经评价过了。").format(unit=row["name"]))
    await _record("case.meeting.response_rated", actor, meeting_id, unit=row["name"], score=score,
                  reported=row["reported"])


async def rate_prep(meeting_id: int, score: int | None, note: str, *, actor: Any,
                    now: datetime | None = None) -> None:
    """A summoned unit's rating of the convener's preparation (1–5 + note), once, if it came."""
    meeting = await get_meeting(meeting_id)
    _check(Step.rate_prep, actor, meeting, _("评价会前准备"))
    row = _clerk_row(actor, meeting)
    if not row["reported"]:
        raise Conflict(_("本单位没有报到，不能评价会前准备。"))
    score = _score(score)
    note = cases.clean_text(note, "note", limit=NOTE_MAX)
    changed = await CaseMeetingUnit.update({CaseMeetingUnit.prep_score: score, CaseMeetingUnit.prep_note: note,
                                            CaseMeetingUnit.prep_rated_at: now or dates.now()}).where(
        (CaseMeetingUnit.id == row["id"]) & CaseMeetingUnit.prep_score.is_null()).returning(
        CaseMeetingUnit.id).run()
    if not changed:
        raise Conflict(_("本单位已经评价过这次会商的准备情况。"))
    await _record("case.meeting.prep_rated", actor, meeting_id, unit=row["name"], score=score)


# --- lists ----------------------------------------------------------------------------------------------

LIST_MAX = 100


async def meetings_for(user: Any) -> list[dict]:
    """The meetings a user may see, newest first: a street's own (and the district's on its cases),
    the district's all, a clerk's those her unit was summoned to."""
    role = role_of(user)
    query = CaseMeeting.select(*CaseMeeting.all_columns(), CaseMeeting.town.name.as_alias("town_name"))
    if role is Role.unit_clerk:
        ids = [r["meeting"] for r in await CaseMeetingUnit.select(CaseMeetingUnit.meeting).where(
            CaseMeetingUnit.unit == perm.clerk_unit(user)).run()]
        if not ids:
            return []
        query = query.where(CaseMeeting.id.is_in(ids))
    elif role is Role.district_reviewer:
        query = query.where(CaseMeeting.district == id_of(user.district))
    elif role is not Role.admin:
        query = query.where(CaseMeeting.town == id_of(user.town))
    rows = [_typed(r) for r in await query.order_by(CaseMeeting.held_at, ascending=False).limit(LIST_MAX).run()]
    if rows:
        counts: dict[int, dict[str, int]] = {r["id"]: {"cases": 0, "units": 0, "reported": 0} for r in rows}
        for a in await CaseMeetingCase.select(CaseMeetingCase.meeting).where(
                CaseMeetingCase.meeting.is_in(list(counts))).run():
            counts[a["meeting"]]["cases"] += 1
        for u in await CaseMeetingUnit.select(CaseMeetingUnit.meeting, CaseMeetingUnit.reported).where(
                CaseMeetingUnit.meeting.is_in(list(counts))).run():
            counts[u["meeting"]]["units"] += 1
            counts[u["meeting"]]["reported"] += bool(u["reported"])
        for r in rows:
            r.update(counts[r["id"]])
    return rows


async def meetings_of_case(case_id: int) -> list[dict]:
    """The meetings a case was on, with the decision on it, oldest first (the case page)."""
    rows = await CaseMeetingCase.select(
        *CaseMeetingCase.all_columns(), CaseMeetingCase.lead_unit.name.as_alias("lead_name"),
        CaseMeetingCase.meeting.held_at.as_alias("held_at"), CaseMeetingCase.meeting.kind.as_alias("kind"),
        CaseMeetingCase.meeting.level.as_alias("level"), CaseMeetingCase.meeting.state.as_alias("state"),
        CaseMeetingCase.meeting.topic.as_alias("topic")).where(CaseMeetingCase.case == case_id).order_by(
        CaseMeetingCase.id).run()
    names = await _unit_names([i for r in rows for i in _ids(r["assist_units"])])
    for r in rows:
        r["kind"], r["level"], r["state"] = MeetingKind(r["kind"]), MeetingLevel(r["level"]), MeetingState(r["state"])
        r["assist_names"] = [names.get(i, "") for i in _ids(r["assist_units"])]
    return rows


async def summoned_to(unit_id: int, meeting_ids: list[int]) -> set[int]:
    """Which of these meetings summoned the unit."""
    if not meeting_ids:
        return set()
    rows = await CaseMeetingUnit.select(CaseMeetingUnit.meeting).where(
        (CaseMeetingUnit.unit == unit_id) & CaseMeetingUnit.meeting.is_in(meeting_ids)).run()
    return {r["meeting"] for r in rows}


async def unit_ratings(district_id: int, start: datetime, end: datetime) -> dict[int, list[dict]]:
    """双考核 for the rankings: unit id -> its summons to the district's meetings held (held or
    closed) in [start, end), each {"meeting", "reported", "response_score", "prep_score"} (scores
    None until rated). A summons the unit did not answer has reported False."""
    rows = await CaseMeetingUnit.select(
        CaseMeetingUnit.unit, CaseMeetingUnit.meeting, CaseMeetingUnit.reported, CaseMeetingUnit.response_score,
        CaseMeetingUnit.prep_score).where(
        (CaseMeetingUnit.meeting.district == district_id)
        & CaseMeetingUnit.meeting.state.is_in([MeetingState.held.value, MeetingState.closed.value])
        & (CaseMeetingUnit.meeting.held_at >= start) & (CaseMeetingUnit.meeting.held_at < end)).order_by(
        CaseMeetingUnit.id).run()
    out: dict[int, list[dict]] = {}
    for r in rows:
        out.setdefault(r.pop("unit"), []).append({**r, "reported": bool(r["reported"])})
    return out


@dataclass(frozen=True)
class UnitQueue:
    meetings: list[dict]  # planned or held meetings the unit was summoned to, with what it still has to do
    items: list[dict]  # its follow-up items not answered yet, soonest due first


def _items_to_answer(unit_id: int) -> Combinable:
    """The unit's follow-up items from a held meeting that it has not answered yet."""
    return ((CaseMeetingItem.unit == unit_id) & CaseMeetingItem.answered_at.is_null()
            & (CaseMeetingItem.meeting.state == MeetingState.held.value))


async def waits_on_unit(unit_id: int) -> bool:
    """Whether something of a 会商 waits on the unit: a meeting to report to, a preparation to
    rate, a follow-up item to answer. A yes/no (the landing page's) without reading the queue."""
    if await CaseMeetingItem.exists().where(_items_to_answer(unit_id)):
        return True
    return await CaseMeetingUnit.exists().where((CaseMeetingUnit.unit == unit_id) & (
        ((CaseMeetingUnit.meeting.state == MeetingState.planned.value) & CaseMeetingUnit.reported.eq(False))
        | ((CaseMeetingUnit.meeting.state == MeetingState.held.value) & CaseMeetingUnit.reported.eq(True)
           & CaseMeetingUnit.prep_score.is_null())))


async def unit_queue(unit_id: int) -> UnitQueue:
    summoned = await CaseMeetingUnit.select(
        CaseMeetingUnit.meeting, CaseMeetingUnit.reported, CaseMeetingUnit.prep_score,
        CaseMeetingUnit.meeting.held_at.as_alias("held_at"), CaseMeetingUnit.meeting.kind.as_alias("kind"),
        CaseMeetingUnit.meeting.state.as_alias("state"), CaseMeetingUnit.meeting.topic.as_alias("topic"),
        CaseMeetingUnit.meeting.place.as_alias("place")).where(
        (CaseMeetingUnit.unit == unit_id) & CaseMeetingUnit.meeting.state.is_in(
            [MeetingState.planned.value, MeetingState.held.value])).order_by(
        CaseMeetingUnit.meeting.held_at).run()
    for m in summoned:
        m["kind"], m["state"] = MeetingKind(m["kind"]), MeetingState(m["state"])
    items = await CaseMeetingItem.select(
        *CaseMeetingItem.all_columns(), CaseMeetingItem.meeting.topic.as_alias("topic")).where(
        _items_to_answer(unit_id)).order_by(CaseMeetingItem.due_on).run()
    return UnitQueue(summoned, items)


CONSULT_PICK_MAX = 500  # open cases offered on the "call a meeting" form


@dataclass(frozen=True)
class _Need:
    """One reason a case may need a meeting, written once for both sides: ``where`` finds such
    cases in SQL (to read them first), ``holds`` tells it of a row read (for its badge)."""
    label: str | None  # the badge; None when the state's own label already says it (已退单)
    where: Combinable
    holds: Callable[[dict], bool]


def _needs(now: datetime, district_level: bool) -> list[_Need]:
    late = (CaseState.dispatched, CaseState.accepted)
    needs = [
        _Need(None, Case.state == CaseState.returned.value, lambda r: r["state"] is CaseState.returned),
        _Need(_("曾被退单"), (Case.returns > 0) & (Case.state != CaseState.returned.value),
              lambda r: r["returns"] > 0 and r["state"] is not CaseState.returned),
        _Need(_("已逾期"), Case.due_at.is_not_null() & (Case.due_at < now) & Case.state.is_in([s.value for s in late]),
              lambda r: r["due_at"] is not None and r["due_at"] < now and r["state"] in late),
        _Need(_("居民不满意·重办"), Case.reopens > 0, lambda r: r["reopens"] > 0),
    ]
    if not district_level:  # at the district every listed case was sent up
        needs.append(_Need(_("已提级"), Case.escalated_at.is_not_null(), lambda r: r["escalated_at"] is not None))
    return needs


async def open_cases_to_consult(user: Any, now: datetime | None = None) -> list[dict]:
    """The cases a user may put on a meeting's agenda: her street's open cases, or, for the
    district, its open cases sent up to it; most recent first, at most CONSULT_PICK_MAX.

    Each carries ``needs``: why it may need a meeting (sent back by a unit, past its deadline,
    reopened after a resident's 不满意, sent up to the district), so that the form can offer
    those first: a big street has hundreds of open cases, and a meeting is for the hard ones.
    The hard ones are read first, so that old ones are not the ones cut off by the limit.
    """
    role = role_of(user)
    now = now or dates.now()
    district_level = role is Role.district_reviewer

    def query(*where: Any) -> Any:  # Piccolo's where() adds to the query it is called on: one each
        q = Case.select(Case.id, Case.suggestion.tracking_code.as_alias("tracking_code"),
                        Case.suggestion.content.as_alias("content"), Case.state, Case.town.name.as_alias("town_name"),
                        Case.district, Case.due_at, Case.returns, Case.reopens, Case.escalated_at).where(
            Case.state != CaseState.closed.value, *where)
        if district_level:
            q = q.where((Case.district == id_of(user.district)) & Case.escalated_at.is_not_null())
        elif role is not Role.admin:
            q = q.where(Case.town == id_of(user.town))
        return q.order_by(Case.id, ascending=False)

    needs = _needs(now, district_level)
    rows = await query(functools.reduce(operator.or_, (n.where for n in needs))).limit(CONSULT_PICK_MAX).run()
    if len(rows) < CONSULT_PICK_MAX:
        seen = [r["id"] for r in rows]
        rest = query(Case.id.not_in(seen)) if seen else query()
        rows += await rest.limit(CONSULT_PICK_MAX - len(rows)).run()
    for r in rows:
        r["state"] = CaseState(r["state"])
        hits = [n for n in needs if n.holds(r)]
        r["needs"] = [n.label for n in hits if n.label]
        r["hard"] = bool(hits)
    return sorted(rows, key=lambda r: not r["hard"])  # stable: most recent first within each group


# --- 协办意见 -------------------------------------------------------------------------------------------

async def write_opinion(case_id: int, text: str, *, actor: Any, now: datetime | None = None) -> None:
    """An assisting unit's clerk gives (or rewrites) her unit's opinion on the case it assists."""
    case = await cases.get_case(case_id)
    unit = perm.clerk_unit(actor)
    if unit is None or unit not in {u["unit"] for u in case["units"].assists}:
        raise Forbidden(_("只有这件工单的协办单位可以填写协办意见。"))
    if case["state"] is CaseState.closed:
        raise Conflict(_("这件工单已办结，不能再填写协办意见。"))
    text = cases.clean_text(text, "opinion", required=_("请填写协办意见。"))
    now = now or dates.now()
    slot = f"{case_id}:{unit}"
    async with cases.transaction():
        # Rewrite first, insert when there was nothing. Two quick first submissions of one unit meet
        # at the unique slot: the second is told so (409), never a 500.
        values: dict[Column | str, Any] = {CaseOpinion.text: text, CaseOpinion.written_at: now,
                                           CaseOpinion.written_by: actor.id}
        again = bool(await CaseOpinion.update(values).where(CaseOpinion.slot == slot).returning(CaseOpinion.id).run())
        if not again:
            try:
                await CaseOpinion.insert(CaseOpinion(case=case_id, unit=unit, text=text, written_by=actor.id,
                                                     written_at=now, slot=slot)).run()
            except Exception as exc:
                if db.is_unique_violation(exc):
                    raise Conflict(_("本单位的协办意见刚刚已经提交过，请刷新页面查看，需要时再修改。")) from exc
                raise
        name = next(u["name"] for u in case["units"].assists if u["unit"] == unit)
        await audit.record("case.opinion.written", actor=actor, object_type="suggestion", object_id=case["suggestion"],
                           case=case_id, unit=name, again=again)


async def opinions_of(case: dict) -> list[dict]:
    """Each current assisting unit with its opinion, or None when it has not given one yet."""
    rows = {r["unit"]: r for r in await CaseOpinion.select().where(CaseOpinion.case == case["id"]).run()}
    return [{"unit": u["unit"], "name": u["name"], "opinion": rows.get(u["unit"])} for u in case["units"].assists]

