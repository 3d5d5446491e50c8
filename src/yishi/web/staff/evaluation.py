"""评实效 for staff, collectors, units and observers: the projects to evaluate in the user's scope,
a project's evaluation page (residents' ratings and telephone follow-ups apart, observers' scores
apart, the ledger's cases, paper entry, 电话回访, the district's decision, carrying it into a later
round), the ledger of unsatisfied cases, observers' scoring, and the street's rating codes."""
from __future__ import annotations

from types import MappingProxyType
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from yishi.accounts import permissions as perm
from yishi.accounts.enums import Role
from yishi.ballots import codes as code_utils
from yishi.cases import permissions as cperm
from yishi.core import i18n
from yishi.core.errors import DomainError
from yishi.core.i18n import _, _l
from yishi.evaluation import callbacks, exports, nextyear, observers, rates, rules, services, settings
from yishi.evaluation import permissions as eperm
from yishi.evaluation.enums import Advice, Satisfaction
from yishi.places import services as places
from yishi.projects import permissions as pperm
from yishi.projects import services as projects
from yishi.projects.enums import ProjectState
from yishi.suggestions import rules as srules
from yishi.web import deps, guards, links
from yishi.web.forms import form_int, optional_int, query_month, refused, text
from yishi.web.responses import file_response
from yishi.web.staff import cases as case_pages
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus
from yishi.wishlists.services import RoundView

PAGE = "evaluation/project.html"


async def projects_in_scope(user: Any) -> list[dict]:
    """Projects this user evaluates or follows: a district's (reviewer, observer), a street's
    (staff, collectors), a unit's (clerk), or every district's (administrator)."""
    role = perm.role_of(user)
    if role is Role.admin:
        rows = []
        for d in await places.districts():
            rows += await projects.projects_of_district(d["id"])
        return rows
    if role in (Role.district_reviewer, Role.observer):
        return await projects.projects_of_district(user.district)
    if role is Role.unit_clerk:
        return await projects.projects_of_unit(user.unit)
    return await projects.projects_of_town(user.town)


def evaluates(user: Any) -> bool:
    role = perm.role_of(user)
    return role is not None and (role is Role.admin or (role in (Role.district_reviewer, Role.observer)
                                                        and user.district is not None)
                                 or (role is Role.unit_clerk and user.unit is not None) or user.town is not None)


def sees_project(user: Any, p: dict) -> bool:
    where = projects.where_of(p)
    return (pperm.can_view_project(user, where) or eperm.is_observer_of(user, p["district_id"])
            or eperm.can_enter_paper(user, p["town_id"]))


EVALUATION = guards.user_may(evaluates, _l("您的账号不参与评实效。"))
VIEW = guards.project_may(sees_project)
ENTER_PAPER = guards.project_may(lambda u, p: eperm.can_enter_paper(u, p["town_id"]),
                                 _l("只有本镇（街道）的收集员或工作人员可以录入纸质评价。"))
CALL = guards.project_may(lambda u, p: eperm.can_record_call(u, projects.where_of(p)),
                          _l("只有镇（街道）或区级工作人员可以登记电话回访。"))
SCORE = guards.project_may(lambda u, p: eperm.can_score(u, p["district_id"]), _l("只有本区的观察员可以为项目打分。"))
DECIDE = guards.project_may(lambda u, p: eperm.can_decide(u, p["district_id"]),
                            _l("只有区级审核人员可以决定项目次年的去留。"))
CARRY = guards.project_may(lambda u, p: eperm.can_carry_over(u, p["town_id"]),
                           _l("只有本镇（街道）工作人员可以把项目转入新批次。"))
CODES = guards.round_may(lambda u, r: eperm.can_print_codes(u, r.town_id),
                         _l("只有本镇（街道）工作人员可以印制评价码。"))
STREET_SETTING = guards.town_may(lambda u, t: eperm.can_print_codes(u, t["id"]))


class EvaluationController(Controller):
    path = "/evaluation"
    dependencies = MappingProxyType({**deps.PROJECT, **deps.ROUND, **deps.TOWN})

    @get("/", guards=[EVALUATION])
    async def index(self, request: Request) -> Template:
        rows = [p for p in await projects_in_scope(request.user)
                if p["state"] in (ProjectState.written_off, ProjectState.underway, ProjectState.completed)]
        advice = await nextyear.advice_for(rows)
        scores = await observers.scores_of([p["id"] for p in rows])
        for a in advice:
            a["observer_mean"] = observers.mean_total(scores[a["id"]])
        rounds: list[dict] = []
        if perm.role_of(request.user) in perm.TOWN_STAFF and request.user.town:
            rounds = await wishlists.list_rounds(town_id=request.user.town)
        return Template("evaluation/index.html", context={
            "rows": advice, "definitions": rules.definitions(), "pct": rules.pct_text, "rounds": rounds,
            "underway_allowed": await settings.rate_while_underway(request.user.town) if request.user.town else None})

    async def _page(self, request: Request, project: dict, **extra: Any) -> dict:
        month = query_month(request)
        (row,) = await nextyear.advice_for([project])
        pid = project["id"]
        user = request.user
        district_scores = (await observers.scores_of([pid]))[pid]
        later_rounds = []
        if eperm.can_carry_over(user, project["town_id"]):
            later_rounds = [r for r in await wishlists.list_rounds(town_id=project["town_id"])
                            if r["id"] != project["round"] and r["status"] == RoundStatus.draft.value]
        return {
            "p": project, "row": row, "grades": list(Satisfaction), "advices": list(Advice), "pct": rules.pct_text,
            "definitions": rules.definitions(), "comments": await services.comments_of(pid),
            "scores": district_scores, "observer_mean": observers.mean_total(district_scores),
            "system": await observers.system_of_round(project["round"], project["district_id"]),
            "cases": await services.ledger([pid]), "held": await services.held([pid]),
            "communities": await places.communities_of(project["town_id"]),
            "may": {"paper": eperm.can_enter_paper(user, project["town_id"]),
                    "call": eperm.can_record_call(user, projects.where_of(project)),
                    "resolve": eperm.can_resolve_paper(user, project["town_id"]),
                    "score": eperm.can_score(user, project["district_id"]),
                    "decide": eperm.can_decide(user, project["district_id"]),
                    "answer": eperm.can_answer_case(user, projects.where_of(project)),
                    "carry": bool(later_rounds)},
            "later_rounds": later_rounds, "carried": await nextyear.carried_of(pid), "form": {}, "error": None,
            "work": (await rates.project_rates([pid], project["district_id"], month or None))[pid],
            "month": month, "by_month": [(m, (await rates.project_rates([pid], project["district_id"], m))[pid])
                                         for m in (await rates.project_months(pid))[:24]],
            **extra}

    @get("/projects/{project_id:int}", guards=[VIEW])
    async def project_page(self, request: Request, project: dict) -> Template:
        return Template(PAGE, context=await self._page(request, project, notice=request.query_params.get("done", "")))

    async def _after(self, request: Request, project: dict, action, done: str) -> Template | Redirect:
        form = await request.form()
        try:
            await action(form)
        except DomainError as exc:
            return refused(PAGE, exc, await self._page(request, project), form)
        return Redirect(f"/evaluation/projects/{project['id']}?done={done}#{done}")

    @post("/projects/{project_id:int}/paper", guards=[ENTER_PAPER])
    async def paper(self, request: Request, project: dict) -> Template | Redirect:
        status: dict = {}

        async def act(form):
            status["s"] = await services.enter_paper(project["id"], text(form, "code"), text(form, "grade"),
                                                     text(form, "comment"), actor=request.user)
        result = await self._after(request, project, act, "paper")
        if isinstance(result, Redirect):
            return Redirect(f"/evaluation/projects/{project['id']}?done=paper-{status['s']}#paper")
        return result

    @post("/projects/{project_id:int}/call", guards=[CALL])
    async def call(self, request: Request, project: dict) -> Template | Redirect:
        async def act(form):
            await services.record_call(project["id"], text(form, "grade"), text(form, "comment"),
                                       community_id=optional_int(form, "community", _("社区")), actor=request.user)
        return await self._after(request, project, act, "call")

    @post("/projects/{project_id:int}/paper/{paper_id:int}/resolve", guards=[ENTER_PAPER])
    async def resolve(self, request: Request, project: dict, paper_id: int) -> Template | Redirect:
        async def act(form):
            if not any(h["id"] == paper_id for h in await services.held([project["id"]])):
                raise DomainError(_("这张评价表不属于这个项目，或已经处理过了。"))
            await services.resolve_paper(paper_id, text(form, "choice"), actor=request.user)
        return await self._after(request, project, act, "paper")

    @post("/projects/{project_id:int}/cases/{case_id:int}/answer", guards=[VIEW])
    async def answer(self, request: Request, project: dict, case_id: int) -> Template | Redirect:
        async def act(form):
            if not any(c["id"] == case_id for c in await services.ledger([project["id"]])):
                raise DomainError(_("这条台账不属于这个项目。"))
            await services.answer_case(case_id, text(form, "answer"), actor=request.user)
        return await self._after(request, project, act, "cases")

    @post("/projects/{project_id:int}/score", guards=[SCORE])
    async def score(self, request: Request, project: dict) -> Template | Redirect:
        async def act(form):
            system = await observers.system_of_round(project["round"], project["district_id"])
            values, notes = {}, {}
            for n, i in enumerate(system):
                raw = text(form, f"score_{n}")
                values[i["name"]] = int(raw) if raw.isdigit() else None
                notes[i["name"]] = text(form, f"note_{n}")
            await observers.score(project["id"], values, notes, text(form, "note"), actor=request.user)
        return await self._after(request, project, act, "score")

    @post("/projects/{project_id:int}/decide", guards=[DECIDE])
    async def decide(self, request: Request, project: dict) -> Template | Redirect:
        async def act(form):
            await nextyear.decide(project["id"], text(form, "decided"), text(form, "reason"), actor=request.user)
        return await self._after(request, project, act, "decision")

    @post("/projects/{project_id:int}/carry", guards=[CARRY])
    async def carry(self, request: Request, project: dict) -> Template | Redirect:
        async def act(form):
            round_id = optional_int(form, "round", _("批次"))
            if round_id is None:
                raise DomainError(_("请选择要转入的批次。"))
            await nextyear.carry_over(project["id"], round_id, reason=text(form, "reason"), actor=request.user)
        return await self._after(request, project, act, "decision")

    @get("/ledger", guards=[EVALUATION])
    async def ledger(self, request: Request) -> Template:
        # ?town=N: one street's cases (the dashboard's figure links here).
        raw_town = request.query_params.get("town", "")
        town = int(raw_town) if raw_town.isascii() and raw_town.isdigit() else None
        rows = await services.ledger([p["id"] for p in await projects_in_scope(request.user)
                                      if town is None or p["town_id"] == town])
        # 回访 of cases: for those who have a case list, in the scope of that list.
        case_rows = []
        if cperm.has_case_list(request.user):
            scope = case_pages.scope_for(request.user)
            case_rows = [r for r in await callbacks.ledger(town_id=scope.town_id, district_id=scope.district_id,
                                                           unit_id=scope.unit_id)
                         if town is None or r["town_id"] == town]
        return Template("evaluation/ledger.html", context={"rows": rows, "case_rows": case_rows,
                                                            "display_code": srules.display_code})

    # --- rating codes, per round and community ----------------------------------------------

    async def _codes_page(self, round_: RoundView, **extra: Any) -> dict:
        return {"round": round_, "communities": await places.communities_of(round_.town_id),
                "codes": await services.codes_of(round_.id), "display": code_utils.display, "error": None,
                "underway_allowed": await settings.rate_while_underway(round_.town_id), "form": {}, **extra}

    @get("/rounds/{round_id:int}/codes", guards=[CODES])
    async def codes(self, request: Request, round_: RoundView) -> Template:
        return Template("evaluation/codes.html", context=await self._codes_page(round_))

    @post("/rounds/{round_id:int}/codes", guards=[CODES])
    async def print_codes(self, request: Request, round_: RoundView) -> Template | Redirect:
        form = await request.form()
        try:
            community = optional_int(form, "community", _("社区"))
            if community is None or community not in {c["id"] for c in await places.communities_of(round_.town_id)}:
                raise DomainError(_("请选择本镇（街道）的社区。"))
            await services.print_codes(round_.id, community, form_int(text(form, "count"), _("数量")),
                                       actor=request.user)
        except DomainError as exc:
            return refused("evaluation/codes.html", exc, await self._codes_page(round_), form)
        return Redirect(f"/evaluation/rounds/{round_.id}/codes")

    @get("/rounds/{round_id:int}/codes.pdf", guards=[CODES])
    async def codes_pdf(self, request: Request, round_: RoundView) -> Response:
        base = links.public_base(request)
        language = i18n.print_language(request.query_params.get("lang"))
        return file_response(*await exports.codes_pdf(round_.id, base, language), inline=True)

    @post("/towns/{town_id:int}/underway", guards=[STREET_SETTING])
    async def underway(self, request: Request, town: dict) -> Redirect:
        form = await request.form()
        await settings.set_rate_while_underway(town["id"], text(form, "allowed") == "1", actor=request.user)
        return Redirect(text(form, "next") if text(form, "next").startswith("/evaluation") else "/evaluation/")
