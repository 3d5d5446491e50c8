"""接诉即办: dispatch a suggestion to a unit (派单), the unit accepts it (签收) or sends it back
(退单), answers (答复); the street closes it (办结) or sends it up to the district (提级).

Each step is one function that checks who acts and the case's state (rules.allowed), changes
the row only if nobody changed it meanwhile, and writes one audit entry on the suggestion (so
the suggestion's history and the audit trail show every handover). No web imports."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from piccolo.columns import Column

from yishi.accounts.tables import Unit
from yishi.cases import catalog as case_catalog
from yishi.cases import permissions as perm
from yishi.cases import rules
from yishi.cases import settings as case_settings
from yishi.cases.enums import CaseKind, CaseState, UnitRole, Urgency
from yishi.cases.rules import Action, Actor
from yishi.cases.tables import Case, CaseUnit
from yishi.core import audit, dates
from yishi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from yishi.core.i18n import N_, _, stored
from yishi.projects.supervision import calendar_of
from yishi.suggestions import services as suggestions
from yishi.suggestions.enums import OPEN_STATUSES, SuggestionStatus, Track
from yishi.suggestions.tables import Suggestion

TEXT_MAX = 2000
ASSIST_MAX = 5


def transaction() -> Any:
    """One transaction on the cases' database (also the 会商 tables')."""
    return Case._meta.db.transaction()


def clean_text(value: str, field: str, *, limit: int = TEXT_MAX, required: str | None = None) -> str:
    """Typed text, trimmed; refused (on `field`) when longer than `limit`, or empty when `required`
    (then that is the message)."""
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(required, field)
    if len(value) > limit:
        raise InvalidInput(_("不能超过 {n} 个字。").format(n=limit), field)
    return value


# --- reading -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Units:
    lead: dict | None
    assists: tuple[dict, ...]
    former: tuple[dict, ...]  # units that held it once (sent it back, or were dispatched elsewhere)


async def units_of_case(case_id: int) -> Units:
    rows = await CaseUnit.select(CaseUnit.unit, CaseUnit.role, CaseUnit.current, CaseUnit.dispatched_at,
                                 CaseUnit.unit.name.as_alias("name")).where(CaseUnit.case == case_id).order_by(
        CaseUnit.id).run()
    lead = next((r for r in rows if r["current"] and r["role"] == UnitRole.lead.value), None)
    return Units(lead, tuple(r for r in rows if r["current"] and r["role"] == UnitRole.assist.value),
                 tuple(r for r in rows if not r["current"]))


def where_of(case: dict, units: Units | None = None) -> perm.Where:
    assists = tuple(u["unit"] for u in units.assists) if units else tuple(case.get("assist_ids", ()))
    return perm.Where(town_id=case["town"], district_id=case["district"], lead_unit_id=case["lead_unit"],
                      assist_unit_ids=assists, owner_id=case["owner"])


def _case_query():
    return Case.select(
        *Case.all_columns(), Case.lead_unit.name.as_alias("lead_unit_name"), Case.owner.name.as_alias("owner_name"),
        Case.suggestion.tracking_code.as_alias("tracking_code"), Case.suggestion.content.as_alias("content"),
        Case.suggestion.status.as_alias("suggestion_status"), Case.suggestion.received_on.as_alias("received_on"),
        Case.suggestion.category.as_alias("category_id"),
        Case.suggestion.category.name.as_alias("category_name"),
        Case.suggestion.community.name.as_alias("community_name"), Case.town.name.as_alias("town_name"))


def _typed(row: dict) -> dict:
    row["state"] = CaseState(row["state"])
    row["kind"] = CaseKind(row["kind"])
    row["urgency"] = Urgency(row["urgency"])
    row["track"] = Track(row["track"])
    return row


async def get_case(case_id: int) -> dict:
    """The case with its suggestion's words, its units and its `where` (for the guards)."""
    row = await _case_query().where(Case.id == case_id).first().run()
    if row is None:
        raise NotFound(_("找不到这件工单。"))
    row = _typed(row)
    row["units"] = await units_of_case(case_id)
    row["where"] = where_of(row, row["units"])
    return row


async def case_id_of(suggestion_id: int) -> int | None:
    row = await Case.select(Case.id).where(Case.suggestion == suggestion_id).first().run()
    return row["id"] if row else None


async def standing(user: Any, case: dict) -> Actor:
    return perm.actor_of(user, case["where"])


def _check(action: Action, actor: Actor, case: dict | None, doing: str) -> None:
    state = case["state"] if case else None
    owned = bool(case and case["owner"])
    escalated = bool(case and case["escalated_at"])
    if rules.allowed(action, actor, state, owned=owned, escalated=escalated):
        return
    if actor is Actor.other:
        raise Forbidden(_("这件工单不归您办理。"))
    if state is None:
        raise Conflict(_("这条建议还没有派单，不能{doing}。").format(doing=doing))
    if case is not None and owned and action in (Action.dispatch, Action.send_back):
        raise Conflict(_("“{unit}”已签收这件工单，按首接负责制由它办到办结，不能{doing}。").format(
            unit=case["owner_name"] or "", doing=doing))
    raise Conflict(_("这件工单现在是“{state}”，您不能{doing}。请刷新页面查看最新情况。").format(
        state=state.label, doing=doing))


async def _apply(case_id: int, expected: CaseState, values: dict[Any, Any], doing: str) -> None:
    changed = await Case.update(values).where((Case.id == case_id) & (Case.state == expected)).returning(Case.id).run()
    if not changed:
        raise Conflict(_("这件工单刚被其他人处理过，不能{doing}。请刷新页面查看最新情况。").format(doing=doing))


# --- 派单 --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Dispatch:
    lead_unit_id: int | None
    assist_unit_ids: tuple[int, ...] = ()
    kind: CaseKind = CaseKind.suggestion
    urgency: Urgency = Urgency.normal
    track: Track = Track.now
    catalog_entry_id: int | None = None
    note: str = ""


async def _suggestion(suggestion_id: int) -> dict:
    row = await Suggestion.select(Suggestion.id, Suggestion.town, Suggestion.town.district.as_alias("district"),
                                  Suggestion.status, Suggestion.category).where(
        Suggestion.id == suggestion_id).first().run()
    if row is None:
        raise NotFound(_("找不到这条建议。"))
    return row


async def active_units(district_id: int, ids: list[int]) -> dict[int, str]:
    """Id -> name of those of `ids` that are active units of the district (the others are left out)."""
    if not ids:
        return {}
    rows = await Unit.select(Unit.id, Unit.name).where(
        Unit.id.is_in(ids) & (Unit.district == district_id) & (Unit.active == True)).run()  # noqa: E712
    return {r["id"]: r["name"] for r in rows}


async def dispatch(suggestion_id: int, d: Dispatch, *, actor: Any, now: datetime | None = None) -> int:
    """派单 (or 重新派单 after a 退单, or the district's 交办 after a 提级): the case goes to a lead
    unit and any assisting units, with its clock started. Returns the case id."""
    s = await _suggestion(suggestion_id)
    existing_id = await case_id_of(suggestion_id)
    case = await get_case(existing_id) if existing_id else None
    where = case["where"] if case else perm.Where(s["town"], s["district"])
    _check(Action.dispatch, perm.actor_of(actor, where), case, _("派单"))
    if SuggestionStatus(s["status"]) not in OPEN_STATUSES:
        raise Conflict(_("这条建议已是“{state}”，不能再派单。").format(state=SuggestionStatus(s["status"]).label))
    if d.lead_unit_id is None:
        raise InvalidInput(_("请选择主办单位。"), "lead_unit")
    assists = [u for u in dict.fromkeys(d.assist_unit_ids) if u != d.lead_unit_id]
    if len(assists) > ASSIST_MAX:
        raise InvalidInput(_("协办单位最多 {n} 个。").format(n=ASSIST_MAX), "assist")
    names = await active_units(s["district"], [d.lead_unit_id, *assists])
    if d.lead_unit_id not in names or len(names) != 1 + len(assists):
        raise InvalidInput(_("所选单位不在本区单位名录中（或已停用），请重新选择。"), "lead_unit")
    note = clean_text(d.note, "note")
    if d.catalog_entry_id is not None:
        entry = await case_catalog.get_entry(d.catalog_entry_id)
        if entry["district"] != s["district"]:
            raise InvalidInput(_("所选派单目录不属于本区。"), "catalog")
    now = now or dates.now()
    limits = await case_settings.of_district(s["district"])
    clock = rules.clock(now, urgency=d.urgency, track=d.track, kind=d.kind, limits=limits,
                        calendar=await calendar_of(s["district"]))
    values: dict[Column, Any] = {
        Case.kind: d.kind, Case.urgency: d.urgency, Case.track: d.track, Case.state: CaseState.dispatched,
        Case.lead_unit: d.lead_unit_id, Case.catalog_entry: d.catalog_entry_id, Case.note: note,
        Case.dispatched_at: now, Case.accept_by: clock.accept_by, Case.due_at: clock.due_at,
        Case.accepted_at: None, Case.return_reason: ""}
    async with transaction():
        if case is None:
            rows = await Case.insert(Case({Case.suggestion: suggestion_id, Case.town: s["town"],
                                           Case.district: s["district"], Case.created_at: now, **values})).returning(
                Case.id).run()
            case_id = rows[0]["id"]
        else:
            case_id = case["id"]
            await _apply(case_id, case["state"], values, _("派单"))
        await CaseUnit.update({CaseUnit.current: False}).where(CaseUnit.case == case_id).run()
        for unit_id, role in [(d.lead_unit_id, UnitRole.lead), *((u, UnitRole.assist) for u in assists)]:
            await _hold(case_id, unit_id, role, now)
        await suggestions.hand_over(suggestion_id, names[d.lead_unit_id])
        await audit.record("case.dispatched", actor=actor, object_type="suggestion", object_id=suggestion_id,
                           case=case_id, lead=names[d.lead_unit_id], assists=[names[u] for u in assists],
                           kind=d.kind.value, urgency=d.urgency.value, track=d.track.value,
                           due=clock.due_at.isoformat(), again=case is not None)
    return case_id


# --- the unit's steps ----------------------------------------------------------------------------

async def accept(case_id: int, *, actor: Any, now: datetime | None = None) -> None:
    """签收: the first unit that accepts owns the case until it is closed (首接负责制)."""
    case = await get_case(case_id)
    _check(Action.accept, perm.actor_of(actor, case["where"]), case, _("签收"))
    now = now or dates.now()
    values: dict[Any, Any] = {Case.state: CaseState.accepted, Case.accepted_at: now}
    if case["owner"] is None:
        values[Case.owner] = case["lead_unit"]
    async with transaction():
        await _apply(case_id, CaseState.dispatched, values, _("签收"))
        await audit.record("case.accepted", actor=actor, object_type="suggestion", object_id=case["suggestion"],
                           case=case_id, unit=case["lead_unit_name"])


async def send_back(case_id: int, reason: str, *, actor: Any) -> None:
    """退单: not this unit's business; the street (or, after 提级, the district) dispatches again."""
    case = await get_case(case_id)
    _check(Action.send_back, perm.actor_of(actor, case["where"]), case, _("退单"))
    reason = clean_text(reason, "reason", required=_("退单必须写明理由，街道才能重新派单。"))
    async with transaction():
        await _apply(case_id, CaseState.dispatched, {
            Case.state: CaseState.returned, Case.lead_unit: None, Case.return_reason: reason,
            Case.returns: Case.returns + 1, Case.accept_by: None}, _("退单"))
        await CaseUnit.update({CaseUnit.current: False}).where(CaseUnit.case == case_id).run()
        await audit.record("case.returned", actor=actor, object_type="suggestion", object_id=case["suggestion"],
                           case=case_id, unit=case["lead_unit_name"], reason=reason)


async def reply(case_id: int, text: str, *, actor: Any, now: datetime | None = None) -> None:
    """答复: the owner's result, which the resident reads at /t/CODE; the street then closes it."""
    case = await get_case(case_id)
    _check(Action.reply, perm.actor_of(actor, case["where"]), case, _("答复"))
    text = clean_text(text, "reply", required=_("请填写办理结果和给居民的答复。"))
    async with transaction():
        await _apply(case_id, CaseState.accepted, {Case.state: CaseState.answered, Case.reply: text,
                                                   Case.answered_at: now or dates.now()}, _("答复"))
        await suggestions.answer(case["suggestion"], text, actor=actor)
        await audit.record("case.answered", actor=actor, object_type="suggestion", object_id=case["suggestion"],
                           case=case_id, unit=case["lead_unit_name"])


async def escalate(suggestion_id: int, reason: str, *, actor: Any, now: datetime | None = None) -> int:
    """提级: what the street cannot settle goes to the district's 县级会商办, on record (备案) with
    its reason. A unit that already accepted keeps the case (首接负责制) and the district joins;
    otherwise the district dispatches it. Returns the case id."""
    s = await _suggestion(suggestion_id)
    existing_id = await case_id_of(suggestion_id)
    case = await get_case(existing_id) if existing_id else None
    where = case["where"] if case else perm.Where(s["town"], s["district"])
    _check(Action.escalate, perm.actor_of(actor, where), case, _("提级"))
    if SuggestionStatus(s["status"]) not in OPEN_STATUSES:
        raise Conflict(_("这条建议已是“{state}”，不能提级。").format(state=SuggestionStatus(s["status"]).label))
    reason = clean_text(reason, "escalate_reason", required=_("提级必须写明理由（为什么街道解决不了），以便备案。"))
    now = now or dates.now()
    async with transaction():
        if case is None:
            rows = await Case.insert(Case(suggestion=suggestion_id, town=s["town"], district=s["district"],
                                          state=CaseState.escalated, escalated_at=now, escalate_reason=reason,
                                          created_at=now)).returning(Case.id).run()
            case_id = rows[0]["id"]
            await audit.record("case.escalated", actor=actor, object_type="suggestion", object_id=suggestion_id,
                               case=case_id, reason=reason, owner=None)
        else:
            case_id = case["id"]
            await _send_up(case, case["state"], reason, now=now, actor=actor)
    return case_id


async def _send_up(case: dict, state: CaseState, reason: str, *, now: datetime, actor: Any, auto: bool = False) -> None:
    """提级 of an existing case (`state`: what it is now), inside the caller's transaction: an owner
    keeps it and the district joins; a case no unit holds waits for the district's 交办."""
    values: dict[Any, Any] = {Case.escalated_at: now, Case.escalate_reason: reason}
    if not case["owner"]:
        values.update({Case.state: CaseState.escalated, Case.lead_unit: None, Case.accept_by: None})
        await CaseUnit.update({CaseUnit.current: False}).where(CaseUnit.case == case["id"]).run()
    await _apply(case["id"], state, values, _("提级"))
    await audit.record("case.escalated", actor=actor, object_type="suggestion", object_id=case["suggestion"],
                       case=case["id"], reason=reason, owner=case["owner_name"], **({"auto": True} if auto else {}))


async def _hold(case_id: int, unit_id: int, role: UnitRole, now: datetime) -> None:
    """The unit holds the case (again) in this role: its row in the queue made or made current."""
    slot = f"{case_id}:{unit_id}"
    if await CaseUnit.exists().where(CaseUnit.slot == slot):
        await CaseUnit.update({CaseUnit.current: True, CaseUnit.role: role, CaseUnit.dispatched_at: now}).where(
            CaseUnit.slot == slot).run()
    else:
        await CaseUnit.insert(CaseUnit(case=case_id, unit=unit_id, role=role, current=True, dispatched_at=now,
                                       slot=slot)).run()


async def close(case_id: int, text: str, *, actor: Any, now: datetime | None = None) -> None:
    """办结: the street (the district, for a case sent up to it) closes the answered case; the
    resident's answer is the unit's, or what the closer writes instead."""
    case = await get_case(case_id)
    _check(Action.close, perm.actor_of(actor, case["where"]), case, _("办结"))
    text = clean_text(text, "reply") or case["reply"]
    async with transaction():
        await _apply(case_id, CaseState.answered, {Case.state: CaseState.closed, Case.closed_at: now or dates.now()},
                     _("办结"))
        await suggestions.close(case["suggestion"], text, actor=actor)
        await audit.record("case.closed", actor=actor, object_type="suggestion", object_id=case["suggestion"],
                           case=case_id)


# --- 回访: 不满意 sends the case back ----------------------------------------------------------------

ESCALATE_AFTER_REOPENS = 2  # the second 不满意 sends the case up a tier (提级)


def answer_no(case: dict) -> int:
    """Which answer of the case is in hand: 1 for the first, one more after each reopen."""
    return (case.get("reopens") or 0) + 1


async def reopen(case_id: int, *, due_on: date, reason: str, channel: str, actor: Any = None,
                 now: datetime | None = None) -> int:
    """重办: the resident was not satisfied with the answer (回访, online or on the telephone).
    The case goes back to the unit that owns it (首接负责制), 办理中 with a new due date; a case
    no unit ever accepted goes back to its street to dispatch again. The second reopen sends it
    up to the district (提级, the reason written here), the owner keeping it. Called by
    evaluation.callbacks in the transaction that records the rating. Returns the reopens so far."""
    case = await get_case(case_id)
    if case["state"] not in (CaseState.answered, CaseState.closed):
        raise Conflict(_("这件工单现在是“{state}”，不能重新办理。请刷新页面查看最新情况。").format(
            state=case["state"].label))
    now = now or dates.now()
    due_at = rules.end_of_day(due_on)
    reopens = (case["reopens"] or 0) + 1
    unit = case["owner"]
    values: dict[Any, Any] = {Case.reopens: reopens, Case.closed_at: None, Case.accept_by: None}
    if unit is not None:
        values.update({Case.state: CaseState.accepted, Case.lead_unit: unit, Case.due_at: due_at})
    else:
        values.update({Case.state: CaseState.returned, Case.lead_unit: None, Case.due_at: None,
                       Case.return_reason: stored(N_("居民对答复不满意，请重新派单。"))})
    async with transaction():
        await _apply(case_id, case["state"], values, _("重新办理"))
        if unit is not None:
            await _hold(case_id, unit, UnitRole.lead, now)
        await suggestions.reopen_for_case(case["suggestion"])
        await audit.record("case.reopened", actor=actor, object_type="suggestion", object_id=case["suggestion"],
                           case=case_id, unit=case["owner_name"], reopens=reopens, reason=reason, channel=channel,
                           due=due_on.isoformat())
        if reopens >= ESCALATE_AFTER_REOPENS and not case["escalated_at"]:
            why = stored(N_("居民对第 {n} 次答复仍不满意，按规定自动提级到区级（县级会商办）。")).format(n=reopens)
            await _send_up(case, values[Case.state], why, now=now, actor=actor, auto=True)
    return reopens


async def follow_suggestion(suggestion_id: int, *, actor: Any) -> None:
    """The suggestion was answered for good on its own page (办结, 不予采纳, merged, listed): its
    case, if open, is closed with it, so no unit keeps a case nobody waits for."""
    row = await Case.select(Case.id, Case.state).where(Case.suggestion == suggestion_id).first().run()
    status = await Suggestion.select(Suggestion.status).where(Suggestion.id == suggestion_id).first().run()
    if row is None or status is None or row["state"] == CaseState.closed.value:
        return
    if SuggestionStatus(status["status"]) in OPEN_STATUSES:
        return
    await Case.update({Case.state: CaseState.closed, Case.closed_at: dates.now()}).where(Case.id == row["id"]).run()
    await audit.record("case.closed", actor=actor, object_type="suggestion", object_id=suggestion_id,
                       case=row["id"], by_suggestion=SuggestionStatus(status["status"]).value)
