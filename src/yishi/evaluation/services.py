"""Residents' ratings (online with a code, paper entered twice, telephone follow-up) and the
ledger of unsatisfied cases (不满意问题台账).

Secrecy, as ballots keep it: a code rates a project once (RatingUse's unique slot, whatever the
channel, whoever is first); the Rating holds the grade, the comment, the community and the month,
and no code, no time, nothing that leads to a resident or to a ballot. Both rows take random ids
(db.secret_id): ids that grow together would pair each use of a code with its rating. A paper form holds its
code's slot and the typed entries only until the two entries agree or a supervisor decides."""
from __future__ import annotations

import json
import secrets
from datetime import date
from typing import Any

from piccolo.columns import Column

from yishi.ballots import codes
from yishi.ballots.tables import BallotCode
from yishi.core import audit, dates, db
from yishi.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from yishi.core.i18n import _
from yishi.evaluation import permissions as perm
from yishi.evaluation import rules, settings
from yishi.evaluation.enums import CaseColour, RatingChannel, Satisfaction
from yishi.evaluation.tables import PaperRating, Rating, RatingCode, RatingUse, UnsatisfiedCase
from yishi.projects import services as projects
from yishi.projects import supervision
from yishi.projects.enums import ProjectState

COMMENT_MAX = 500
MAX_CODES = 2000
PENDING, CONFLICT, COUNTED = "pending", "conflict", "counted"


def month_of(day: date) -> str:
    return day.strftime("%Y-%m")


# --- rating codes -------------------------------------------------------------------------------

async def print_codes(round_id: int, community_id: int, count: int, *, actor: Any) -> list[str]:
    """Draw `count` new rating codes for a community of the round (the street prints them)."""
    if not 1 <= count <= MAX_CODES:
        raise DomainError(_("一次可生成 1 到 {n} 个评价码。").format(n=MAX_CODES))
    made: list[str] = []
    now = dates.now()
    while len(made) < count:
        code = codes.new_code()
        # A rating code must not also be some ballot code: either may be typed on the form.
        if await BallotCode.exists().where(BallotCode.code == code):
            continue
        try:
            await RatingCode.insert(RatingCode(round=round_id, community=community_id, code=code, printed_at=now)).run()
        except Exception as exc:
            if db.is_unique_violation(exc):
                continue
            raise
        made.append(code)
    await audit.record("evaluation.codes.printed", actor=actor, object_type="round", object_id=round_id,
                       community=community_id, count=count)
    return made


async def round_of_code(raw_code: str) -> int:
    """The round a rating code (or a ballot code) belongs to: the slip's QR code leads to the
    round's projects."""
    code = codes.normalise(raw_code)
    for table in (RatingCode, BallotCode):
        row = await table.select(table.round).where(table.code == code).first().run()
        if row is not None:
            return row["round"]
    raise InvalidInput(_("没有找到这个评价码，请核对纸条上印的评价码。"), "code")


async def codes_of(round_id: int, community_id: int | None = None) -> list[dict]:
    q = RatingCode.select(RatingCode.code, RatingCode.community.name.as_alias("community_name"),
                          RatingCode.printed_at).where(RatingCode.round == round_id)
    if community_id is not None:
        q = q.where(RatingCode.community == community_id)
    return await q.order_by(RatingCode.community).order_by(RatingCode.id).run()


async def _slot_of(project: dict, raw_code: str) -> tuple[str, int]:
    """A typed code -> the project's use slot and the code's community. A rating code of the
    project's round, or a ballot code of that round that never voted."""
    code = codes.normalise(raw_code)
    if len(code) != codes.CODE_LENGTH:
        raise InvalidInput(_("评价码应为 {n} 位字母和数字，请核对后重新输入。").format(n=codes.CODE_LENGTH), "code")
    row = await RatingCode.select(RatingCode.id, RatingCode.round, RatingCode.community).where(
        RatingCode.code == code).first().run()
    if row is not None:
        if row["round"] != project["round"]:
            raise InvalidInput(_("这个评价码不是本项目所在批次的，请核对。"), "code")
        return f"{project['id']}:r{row['id']}", row["community"]
    ballot = await BallotCode.select(BallotCode.id, BallotCode.round, BallotCode.community, BallotCode.used_at).where(
        BallotCode.code == code).first().run()
    if ballot is None:
        raise InvalidInput(_("没有找到这个评价码，请核对纸条上印的评价码。"), "code")
    if ballot["round"] != project["round"]:
        raise InvalidInput(_("这个选票码不是本项目所在批次的，请核对。"), "code")
    if ballot["used_at"] is not None:
        # A code that voted could tie a rating to the time of a ballot: it is not taken.
        raise Conflict(_("这个选票码已经投过票，不能再用来评价。请向社区领取评价码。"))
    return f"{project['id']}:b{ballot['id']}", ballot["community"]


async def check_rateable(project: dict) -> None:
    state = project["state"]
    if state is ProjectState.written_off:
        return
    if state is ProjectState.underway and await settings.rate_while_underway(project["town_id"]):
        return
    raise Conflict(_("这个项目还没有销账，暂时不能评价。") if state is not ProjectState.underway
                   else _("这个项目正在实施中，本街道规定完工销账后才能评价。"))


def _checked(grade: str, comment: str) -> tuple[Satisfaction, str]:
    try:
        g = Satisfaction(grade)
    except ValueError:
        raise DomainError(_("请选择满意、基本满意或不满意。")) from None
    comment = " ".join((comment or "").split())
    if len(comment) > COMMENT_MAX:
        raise DomainError(_("意见不能超过 {n} 个字。").format(n=COMMENT_MAX))
    return g, comment


def _already() -> Conflict:
    return Conflict(_("这个评价码已经评价过这个项目了，每个评价码对每个项目只能评价一次。谢谢您的参与！"))


async def _spend(project_id: int, slot: str) -> None:
    try:
        await db.insert_secret(RatingUse, project=project_id, slot=slot)
    except Exception as exc:
        if db.is_unique_violation(exc):
            raise _already() from exc
        raise


async def _write(project: dict, community_id: int | None, grade: Satisfaction, comment: str,
                 channel: RatingChannel) -> int:
    today = dates.today()
    rating_id = await db.insert_secret(Rating, project=project["id"], community=community_id, grade=grade,
                                       comment=comment, channel=channel, month=month_of(today))
    if grade is Satisfaction.unsatisfied and comment:
        await open_case(project, rating_id, comment, channel, today)
    return rating_id


async def rate_online(project_id: int, raw_code: str, grade: str, comment: str = "") -> None:
    project = await projects.get_project(project_id)
    await check_rateable(project)
    g, comment = _checked(grade, comment)
    slot, community = await _slot_of(project, raw_code)
    async with Rating._meta.db.transaction():
        await _spend(project_id, slot)
        await _write(project, community, g, comment, RatingChannel.online)
    # The audit says a rating came in, not which code gave it nor how.
    await audit.record("evaluation.rated", object_type="project", object_id=project_id, channel="online")


async def record_call(project_id: int, grade: str, comment: str, *, community_id: int | None, actor: Any) -> None:
    """电话回访: what the resident answered on the phone; no code, counted apart."""
    project = await projects.get_project(project_id)
    perm.require(perm.can_record_call(actor, projects.where_of(project)))
    await check_rateable(project)
    g, comment = _checked(grade, comment)
    await _write(project, community_id, g, comment, RatingChannel.telephone)
    await audit.record("evaluation.call.recorded", actor=actor, object_type="project", object_id=project_id)


# --- paper, entered twice --------------------------------------------------------------------------

def _entry(g: Satisfaction, comment: str) -> str:
    return json.dumps({"grade": g.value, "comment": comment}, ensure_ascii=False, sort_keys=True)


async def enter_paper(project_id: int, raw_code: str, grade: str, comment: str, *, actor: Any) -> str:
    """First entry spends the code for this project; the second, by someone else, must agree,
    or the form waits for a supervisor. Returns pending, counted or conflict."""
    project = await projects.get_project(project_id)
    await check_rateable(project)
    g, comment = _checked(grade, comment)
    slot, community = await _slot_of(project, raw_code)
    if not perm.can_enter_paper(actor, project["town_id"], community):
        raise Forbidden(_("这个评价码不属于您负责的社区，不能由您录入。"))
    entry = _entry(g, comment)
    async with Rating._meta.db.transaction():
        paper = await PaperRating.select().where(PaperRating.slot == slot).first().run()
        if paper is None:
            await _spend(project_id, slot)  # refused if the code already rated online
            await PaperRating.insert(PaperRating(project=project_id, community=community, slot=slot, status=PENDING,
                                                 first_by=actor.id, first_entry=entry)).run()
            status = PENDING
        else:
            status = await _second(project, paper, entry, actor)
    await audit.record("evaluation.paper.entered", actor=actor, object_type="project", object_id=project_id,
                       result=status)
    return status


def _forgotten() -> dict[Column | str, Any]:
    """A counted form forgets its entries and its code: RatingUse keeps that the code rated the
    project, and the form's order (its id, who entered it) must not lead from a code to the
    Rating written when it was counted."""
    return {PaperRating.first_entry: "", PaperRating.second_entry: "",
            PaperRating.slot: "counted:" + secrets.token_hex(12)}


async def _second(project: dict, paper: dict, entry: str, actor: Any) -> str:
    if paper["status"] == CONFLICT:
        raise Conflict(_("这张评价表两次录入不一致，正在等待审核人处理。"))
    if paper["status"] == COUNTED or paper["second_by"] is not None:
        raise _already()
    if paper["first_by"] == actor.id:
        raise Conflict(_("您已经录入过这张评价表。第二遍须由另一位收集员录入，以便核对。"))
    status = COUNTED if paper["first_entry"] == entry else CONFLICT
    values: dict[Column | str, Any] = {PaperRating.second_by: actor.id, PaperRating.status: status,
              PaperRating.second_entry: entry if status == CONFLICT else ""}
    if status == COUNTED:
        values.update(_forgotten())
    changed = await PaperRating.update(values).where(
        (PaperRating.id == paper["id"]) & (PaperRating.status == PENDING)).returning(PaperRating.id).run()
    if not changed:
        raise Conflict(_("这张评价表刚被别人录入，请刷新页面。"))
    if status == COUNTED:
        data = json.loads(entry)
        await _write(project, paper["community"], Satisfaction(data["grade"]), data["comment"], RatingChannel.paper)
    return status


async def held(project_ids: list[int]) -> list[dict]:
    if not project_ids:
        return []
    rows = await PaperRating.select(
        PaperRating.id, PaperRating.project, PaperRating.project.title.as_alias("project_title"),
        PaperRating.community.name.as_alias("community_name"), PaperRating.first_entry, PaperRating.second_entry,
        PaperRating.first_by.display_name.as_alias("first_name"),
        PaperRating.second_by.display_name.as_alias("second_name"),
    ).where(PaperRating.project.is_in(project_ids) & (PaperRating.status == CONFLICT)).order_by(PaperRating.id).run()
    for r in rows:
        r["first"], r["second"] = json.loads(r["first_entry"]), json.loads(r["second_entry"])
        for k in ("first", "second"):
            r[k]["grade_label"] = Satisfaction(r[k]["grade"]).label
    return rows


async def resolve_paper(paper_id: int, choice: str, *, actor: Any) -> None:
    """A supervisor keeps the first or the second entry."""
    if choice not in ("first", "second"):
        raise DomainError(_("请选择采用哪一次录入。"))
    paper = await PaperRating.select().where(PaperRating.id == paper_id).first().run()
    if paper is None:
        raise NotFound(_("找不到这张评价表。"))
    project = await projects.get_project(paper["project"])
    perm.require(perm.can_resolve_paper(actor, project["town_id"]))
    async with Rating._meta.db.transaction():
        changed = await PaperRating.update({
            PaperRating.status: COUNTED, PaperRating.resolved_by: actor.id, **_forgotten(),
        }).where((PaperRating.id == paper_id) & (PaperRating.status == CONFLICT)).returning(PaperRating.id).run()
        if not changed:
            raise Conflict(_("这张评价表已经处理过了。"))
        data = json.loads(paper["first_entry" if choice == "first" else "second_entry"])
        await _write(project, paper["community"], Satisfaction(data["grade"]), data["comment"], RatingChannel.paper)
    await audit.record("evaluation.paper.resolved", actor=actor, object_type="project", object_id=project["id"],
                       paper_id=paper_id)


# --- reading ratings -----------------------------------------------------------------------------

async def ratings_of(project_ids: list[int], month: str | None = None) -> dict[int, list[tuple[str, str]]]:
    """(grade, channel) per project."""
    out: dict[int, list[tuple[str, str]]] = {pid: [] for pid in project_ids}
    if not project_ids:
        return out
    q = Rating.select(Rating.project, Rating.grade, Rating.channel).where(Rating.project.is_in(project_ids))
    if month:
        q = q.where(Rating.month == month)
    for r in await q.run():
        out[r["project"]].append((r["grade"], r["channel"]))
    return out


async def comments_of(project_id: int) -> list[dict]:
    rows = await Rating.select(Rating.grade, Rating.comment, Rating.channel, Rating.month).where(
        (Rating.project == project_id) & (Rating.comment != "")).order_by(Rating.month, ascending=False).order_by(
        Rating.grade).order_by(Rating.comment).run()
    for r in rows:
        r["grade_label"], r["channel_label"] = Satisfaction(r["grade"]).label, RatingChannel(r["channel"]).label
    return rows


# --- the ledger of unsatisfied cases ----------------------------------------------------------------

async def open_entry(district_id: int, today: date, **entry: Any) -> tuple[int, date]:
    """A line of the 不满意问题台账, a project's or a case's (`entry`: its columns), due in the
    district's working days. Returns its id and due date."""
    s = await settings.of_district(district_id)
    due = (await supervision.calendar_of(district_id)).add_workdays(today, s.case_due_workdays)
    rows = await UnsatisfiedCase.insert(UnsatisfiedCase(opened_on=today, due=due, **entry)).returning(
        UnsatisfiedCase.id).run()
    return rows[0]["id"], due


async def open_case(project: dict, rating_id: int | None, comment: str, channel: RatingChannel, today: date) -> int:
    entry_id, due = await open_entry(project["district_id"], today, project=project["id"], rating=rating_id,
                                     unit=project["lead_unit"], comment=comment, channel=channel)
    await audit.record("evaluation.case.opened", object_type="project", object_id=project["id"],
                       case=entry_id, due=due.isoformat())
    return entry_id


async def answer_case(case_id: int, answer: str, *, actor: Any) -> None:
    answer = " ".join((answer or "").split())
    if not answer:
        raise DomainError(_("请填写答复：做了什么、结果如何。"))
    if len(answer) > 2000:
        raise DomainError(_("答复不能超过 2000 个字。"))
    case = await UnsatisfiedCase.select(UnsatisfiedCase.project).where(UnsatisfiedCase.id == case_id).first().run()
    if case is None:
        raise NotFound(_("找不到这条台账记录。"))
    project = await projects.get_project(case["project"])
    perm.require(perm.can_answer_case(actor, projects.where_of(project)))
    changed = await UnsatisfiedCase.update({
        UnsatisfiedCase.answer: answer, UnsatisfiedCase.answered_by: actor.id,
        UnsatisfiedCase.answered_at: dates.now()}).where(
        (UnsatisfiedCase.id == case_id) & (UnsatisfiedCase.answered_at.is_null())).returning(UnsatisfiedCase.id).run()
    if not changed:
        raise Conflict(_("这条台账已经答复过了。"))
    await audit.record("evaluation.case.answered", actor=actor, object_type="project", object_id=project["id"],
                       case=case_id)


async def ledger(project_ids: list[int], today: date | None = None) -> list[dict]:
    """The cases of these projects, each with its colour; open ones first, the most late first."""
    if not project_ids:
        return []
    today = today or dates.today()
    rows = await UnsatisfiedCase.select(
        *UnsatisfiedCase.all_columns(), UnsatisfiedCase.project.title.as_alias("project_title"),
        UnsatisfiedCase.project._.round._.town.district.as_alias("district_id"),
        UnsatisfiedCase.project.lead_unit_name.as_alias("lead_unit_name"),
        UnsatisfiedCase.unit.name.as_alias("unit_name"),
    ).where(UnsatisfiedCase.project.is_in(project_ids)).order_by(UnsatisfiedCase.due).run()
    for r in rows:
        r["answered"] = r["answered_at"] is not None
        r["unit_display"] = r["unit_name"] or r["lead_unit_name"]
    return await colour_ledger(rows, today)


_LEDGER_ORDER = [CaseColour.red, CaseColour.yellow, CaseColour.open, CaseColour.answered]


async def colour_ledger(rows: list[dict], today: date) -> list[dict]:
    """Ledger entries (each with "district_id", "due", "channel" and "answered") coloured by their
    district's calendar and red line, labelled, and sorted: red first, the most late first."""
    cache: dict[int, tuple] = {}
    for r in rows:
        d = r["district_id"]
        if d not in cache:
            cache[d] = (await supervision.calendar_of(d), (await settings.of_district(d)).case_red_after)
        calendar, red_after = cache[d]
        r["colour"] = rules.case_colour(answered=r["answered"], due=r["due"], today=today, red_after=red_after,
                                        calendar=calendar)
        r["channel_label"] = RatingChannel(r["channel"]).label
    rows.sort(key=lambda r: (_LEDGER_ORDER.index(r["colour"]), r["due"]))
    return rows
