"""回访: every answered case is rated by its resident, online at /t/CODE or on the telephone to the
street's staff (满意 / 基本满意 / 不满意), once per answer, within the district's rating window.

- The window: from the day of the unit's (latest) answer through `case_rating_days` calendar
  days after it, China dates. A telephone call counts by the day it was made, not by the day it
  is typed in. Only the unit's answers are rated: a suggestion turned down, merged or listed on
  its own page is not the unit's to redo.
- Once per answer: CaseRating's unique slot "case:answer_no"; two residents (or a resident and a
  caller) at the same moment: the first wins, the second reads that it was rated already.
- 不满意 (a reason is required: the unit has to know what to do again) reopens the case
  (cases.services.reopen: back to its owning unit, due in the district's `case_due_workdays`
  working days; the second time also up to the district) and opens an entry in the ledger of
  unsatisfied cases, in the same transaction as the rating. The unit's next answer is rated again
  (answer_no + 1); the entry counts as answered once the case is answered again.

Not secret as project ratings are (evaluation.services): the case is the resident's own, reached
by the tracking code the resident was given; the rating's time and recorder are kept."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from yishi.cases import history as case_history
from yishi.cases import permissions as cperm
from yishi.cases import services as cases
from yishi.cases.enums import CaseState
from yishi.cases.rules import Actor
from yishi.core import audit, dates, db
from yishi.core.errors import Conflict, Forbidden, InvalidInput
from yishi.core.i18n import N_, _
from yishi.evaluation import services, settings
from yishi.evaluation.enums import RatingChannel, Satisfaction
from yishi.evaluation.tables import CaseRating, UnsatisfiedCase
from yishi.suggestions import services as suggestions
from yishi.suggestions.enums import OPEN_STATUSES, SuggestionStatus

COMMENT_MAX = 500
RATED, OPEN, EXPIRED, WAITING, REDOING = "rated", "open", "expired", "waiting", "redoing"
RATEABLE_SUGGESTIONS = frozenset({SuggestionStatus.closed.value, *(s.value for s in OPEN_STATUSES)})


@dataclass(frozen=True)
class Status:
    """Where a case stands for 回访: `state` one of waiting (no answer yet), redoing (reopened,
    the unit is at it again), open (may be rated until `last_day`), rated (this answer's rating
    is in: `rating`), expired (the window closed unrated)."""

    state: str
    answer_no: int
    answered_on: date | None = None
    last_day: date | None = None
    rating: dict | None = None


def answered_on(case: dict) -> date | None:
    """The day of the unit's (latest) answer, which the rating window counts from."""
    return dates.china_date(case.get("answered_at"))


def status(case: dict, *, window_days: int, rating: dict | None, today: date) -> Status:
    """Pure: the 回访 state of `case` (a cases.services.get_case row) given the rating of its
    current answer, if any."""
    no = cases.answer_no(case)
    state = case["state"]
    if state not in (CaseState.answered, CaseState.closed) or case.get("answered_at") is None:
        return Status(REDOING if case.get("reopens") else WAITING, no)
    if case.get("suggestion_status") not in RATEABLE_SUGGESTIONS:
        # 不予采纳, merged or listed on the suggestion's own page: that answer is not the unit's to redo.
        return Status(WAITING, no)
    day = answered_on(case)
    assert day is not None
    last = day + timedelta(days=window_days)
    if rating is not None:
        return Status(RATED, no, day, last, rating)
    return Status(EXPIRED if today > last else OPEN, no, day, last)


def _slot(case_id: int, no: int) -> str:
    return f"{case_id}:{no}"


async def _rating_of(case_id: int, no: int) -> dict | None:
    row = await CaseRating.select().where(CaseRating.slot == _slot(case_id, no)).first().run()
    if row is not None:
        row["grade"], row["channel"] = Satisfaction(row["grade"]), RatingChannel(row["channel"])
    return row


async def status_of(case: dict, today: date | None = None) -> Status:
    s = await settings.of_district(case["district"])
    return status(case, window_days=s.case_rating_days, rating=await _rating_of(case["id"], cases.answer_no(case)),
                  today=today or dates.today())


async def ratings_of_case(case_id: int) -> list[dict]:
    rows = await CaseRating.select(*CaseRating.all_columns(),
                                   CaseRating.recorded_by.display_name.as_alias("recorded_by_name")).where(
        CaseRating.case == case_id).order_by(CaseRating.answer_no).run()
    for r in rows:
        r["grade"], r["channel"] = Satisfaction(r["grade"]), RatingChannel(r["channel"])
    return rows


async def case_of(view: suggestions.Tracking) -> dict | None:
    """The case a tracked suggestion became (the one it was merged into, if merged); None if it
    was never dispatched."""
    case_id = await cases.case_id_of(view.answer_id)
    return await cases.get_case(case_id) if case_id else None


async def case_of_code(raw_code: str) -> dict | None:
    """case_of for a tracking code. An unknown code raises NotFound."""
    return await case_of(await suggestions.track(raw_code))


def checked(grade: str, comment: str) -> tuple[Satisfaction, str]:
    try:
        g = Satisfaction(grade)
    except ValueError:
        raise InvalidInput(_("请选择满意、基本满意或不满意。"), "grade") from None
    comment = " ".join((comment or "").split())
    if len(comment) > COMMENT_MAX:
        raise InvalidInput(_("意见不能超过 {n} 个字。").format(n=COMMENT_MAX), "comment")
    if g is Satisfaction.unsatisfied and not comment:
        raise InvalidInput(_("请写一句哪里不满意，单位才知道要重新办什么。"), "comment")
    return g, comment


def refusal(st: Status) -> Conflict | None:
    """Why this answer cannot be rated now, in words a resident reads; None if it can."""
    if st.state == RATED:
        return Conflict(_("这次答复已经评价过了（{grade}），每次答复只能评价一次。谢谢您！").format(
            grade=st.rating["grade"].label if st.rating else ""))
    if st.state == EXPIRED:
        return Conflict(_(
            "评价期已过（答复后 {d} 天内可以评价，到 {last} 为止）。如仍有问题，请重新提交建议。").format(
            d=(st.last_day - st.answered_on).days if st.last_day and st.answered_on else 0,
            last=dates.long_date(st.last_day) if st.last_day else ""))
    if st.state == REDOING:
        return Conflict(_("这件事正在重新办理，单位再次答复后才能评价。"))
    if st.state == WAITING:
        return Conflict(_("这件事还没有答复，答复后才能评价。"))
    return None


async def _rate(case: dict, grade: str, comment: str, channel: RatingChannel, *, actor: Any, now: datetime,
                called_on: date | None = None) -> Status:
    today = dates.today(now)
    st = await status_of(case, today)
    if called_on is not None and st.state in (OPEN, EXPIRED):
        # A call is counted on the day it was made: one made within the window may be typed in later.
        assert st.answered_on is not None and st.last_day is not None
        if called_on > today:
            raise InvalidInput(_("通话日期不能晚于今天。"), "called_on")
        if called_on < st.answered_on:
            raise InvalidInput(_("通话日期不能早于答复日期（{d}）。").format(d=dates.long_date(st.answered_on)),
                               "called_on")
        if called_on <= st.last_day:
            st = Status(OPEN, st.answer_no, st.answered_on, st.last_day)
    why = refusal(st)
    if why is not None:
        raise why
    g, comment = checked(grade, comment)
    day = called_on or today
    async with CaseRating._meta.db.transaction():
        try:
            await CaseRating.insert(CaseRating(
                case=case["id"], grade=g, channel=channel, comment=comment, month=services.month_of(day), rated_at=now,
                called_on=called_on, recorded_by=getattr(actor, "id", None), answer_no=st.answer_no,
                slot=_slot(case["id"], st.answer_no))).run()
        except Exception as exc:
            if db.is_unique_violation(exc):
                raise Conflict(_("这次答复已经评价过了，每次答复只能评价一次。谢谢您！")) from exc
            raise
        await audit.record("case.rated", actor=actor, object_type="suggestion", object_id=case["suggestion"],
                           case=case["id"], grade=g.value, channel=channel.value, answer_no=st.answer_no,
                           called_on=called_on.isoformat() if called_on else None)
        if g is Satisfaction.unsatisfied:
            entry_id, due = await services.open_entry(case["district"], today, case=case["id"],
                                                      unit=case["owner"] or case["lead_unit"], comment=comment,
                                                      channel=channel)
            await cases.reopen(case["id"], due_on=due, reason=comment, channel=channel.value, actor=actor, now=now)
            await audit.record("evaluation.case.opened", actor=actor, object_type="suggestion",
                               object_id=case["suggestion"], case=case["id"], entry=entry_id,
                               due=due.isoformat())
    return st


async def rate_online(raw_code: str, grade: str, comment: str = "", *, now: datetime | None = None) -> Status:
    """The resident at /t/CODE. Returns the status the rating was made in (its answer_no)."""
    return await rate_case_online(await case_of_code(raw_code), grade, comment, now=now)


async def rate_case_online(case: dict | None, grade: str, comment: str = "", *,
                           now: datetime | None = None) -> Status:
    """rate_online for the case the page already read (case_of)."""
    if case is None:
        raise Conflict(_("这件事还没有答复，答复后才能评价。"))
    return await _rate(case, grade, comment, RatingChannel.online, actor=None, now=now or dates.now())


CALL_BACK_REFUSED = N_("只有本镇（街道）工作人员可以登记电话回访；提级到区的工单，区级人员也可以。")


def can_call_back(user: Any, case: dict) -> bool:
    """电话回访 is the street's: its staff ring the resident (not the unit that answered). A case sent
    up to the district (提级) is the district's to see through, so its people may ring too."""
    actor = cperm.actor_of(user, case["where"])
    return actor is Actor.street or (actor is Actor.district and bool(case.get("escalated_at")))


async def record_call(case_id: int, grade: str, comment: str, called_on: date | None, *, actor: Any,
                      now: datetime | None = None) -> Status:
    """电话回访: what the resident said on the telephone, on the day of the call."""
    case = await cases.get_case(case_id)
    if not can_call_back(actor, case):
        raise Forbidden(_(CALL_BACK_REFUSED))
    if called_on is None:
        raise InvalidInput(_("请填写通话日期。"), "called_on")
    return await _rate(case, grade, comment, RatingChannel.telephone, actor=actor, now=now or dates.now(),
                       called_on=called_on)


# --- the ledger's case entries ----------------------------------------------------------------------

async def ledger(*, town_id: int | None = None, district_id: int | None = None, unit_id: int | None = None,
                 today: date | None = None) -> list[dict]:
    """The case entries of the ledger of unsatisfied cases in a scope (None everywhere), each with
    its colour as a project's entry (evaluation.rules.case_colour). An entry is answered once its
    case was answered after it: the last entry of a case when the case is answered or closed, an
    earlier one always (the case was reopened again after an answer)."""
    today = today or dates.today()
    q = UnsatisfiedCase.select(
        *UnsatisfiedCase.all_columns(), UnsatisfiedCase.case.state.as_alias("case_state"),
        UnsatisfiedCase.case.reply.as_alias("case_reply"), UnsatisfiedCase.case.district.as_alias("district_id"),
        UnsatisfiedCase.case.town.as_alias("town_id"), UnsatisfiedCase.case.suggestion.as_alias("suggestion_id"),
        UnsatisfiedCase.case._.suggestion.tracking_code.as_alias("tracking_code"),
        UnsatisfiedCase.unit.name.as_alias("unit_name")).where(UnsatisfiedCase.case.is_not_null())
    if town_id is not None:
        q = q.where(UnsatisfiedCase.case.town == town_id)
    if district_id is not None:
        q = q.where(UnsatisfiedCase.case.district == district_id)
    if unit_id is not None:
        q = q.where(UnsatisfiedCase.unit == unit_id)
    rows = await q.order_by(UnsatisfiedCase.id).run()
    last = {r["case"]: r["id"] for r in rows}
    # An earlier entry's answer is not the case's reply now (a later one): the trail has it. The
    # case's n-th entry was opened on its n-th answer (each 不满意 reopens it once), so the unit's
    # answer to it is answer n + 1.
    earlier = sorted({r["suggestion_id"] for r in rows if last[r["case"]] != r["id"]})
    answers = await case_history.answers_of(earlier)
    n_of: dict[int, int] = {}
    for r in rows:
        n = n_of[r["case"]] = n_of.get(r["case"], 0) + 1
        is_last = last[r["case"]] == r["id"]
        r["answered"] = not is_last or r["case_state"] in (CaseState.answered.value, CaseState.closed.value)
        if is_last:
            r["answer"] = r["case_reply"] if r["answered"] else ""
        else:
            texts = answers.get(r["suggestion_id"], [])
            r["answer"] = texts[n] if len(texts) > n else ""
        r["unit_display"] = r["unit_name"] or ""
    return await services.colour_ledger(rows, today)


async def counts_by_town(town_ids: list[int]) -> dict[int, int]:
    """Case entries of the ledger per street (the dashboard's 不满意 figure)."""
    out: dict[int, int] = {}
    if not town_ids:
        return out
    for r in await UnsatisfiedCase.select(UnsatisfiedCase.case.town.as_alias("town")).where(
            UnsatisfiedCase.case.town.is_in(town_ids)).run():
        out[r["town"]] = out.get(r["town"], 0) + 1
    return out

