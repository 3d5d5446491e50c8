from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from yishi.accounts import permissions as perm
from yishi.accounts.enums import Role
from yishi.ballots import casting as ballots
from yishi.ballots import lifecycle, round_settings
from yishi.core import dates
from yishi.core.errors import DomainError, Forbidden
from yishi.core.i18n import _
from yishi.core.money import parse_yuan
from yishi.meetings import compile as compiling
from yishi.meetings import meeting as council_meetings
from yishi.meetings import permissions as mperm
from yishi.meetings import records as meetings
from yishi.meetings.enums import MeetingStep
from yishi.places import services as places
from yishi.pulse import counts as pulse
from yishi.pulse import settings as pulse_settings
from yishi.web import deps, guards
from yishi.web.forms import form_int, item_input, refused
from yishi.wishlists import services, sources
from yishi.wishlists.enums import ItemKind, RoundStatus
from yishi.wishlists.services import RoundView


async def round_context(user: Any, round_id: int) -> dict[str, Any]:
    """Everything the round page and its fragments show, with what this user may do."""
    round_ = await services.get_round(round_id)
    if round_.status is RoundStatus.voting and await lifecycle.close_if_due(round_id):
        # Past its closing time: closed on demand too, not only by the background task.
        round_ = await services.get_round(round_id)
    setup = await round_settings.get(round_id)
    communities = await places.communities_of(round_.town_id)
    items = await services.items_of(round_id)
    tally = await ballots.tally(round_id)
    decision = await meetings.decision_of(round_id)
    council = await meetings.council_of_town(round_.town_id)
    return {
        "council": council,
        "decide_meetings": await decide_meetings(round_id) if round_.status is RoundStatus.counted else [],
        "adoption": await compiling.adoption_of(round_id) if round_.adopted_at is not None else None,
        "consult_meetings": [m for m in await council_meetings.meetings_of_round(round_id)
                             if m["step"] == MeetingStep.consult.value] if round_.status is RoundStatus.draft else [],
        "can_plan": council is not None and mperm.can_plan_meeting(user, round_.town_id)
        and getattr(user, "town", None) == round_.town_id,
        "round": round_,
        "items": items,
        "tally": tally,
        "max_approvals": max(tally.approvals.values(), default=0),
        "decision": decision,
        "setup": setup,
        # Codes are issued only for the communities taking part.
        "communities": [c for c in communities if setup.takes_part(c["id"])],
        "all_communities": communities,
        "settings_error": None,
        "settings_form": None,
        "kinds": list(ItemKind),
        "can_manage": perm.can_manage_round(user, round_.town_id),
        "can_decide": perm.can_record_decision(user, round_.town_id),
        "can_export": perm.can_export_intent_list(user, round_.town_id, round_.district_id),
        "total_fen": sum(i["cost_fen"] for i in items),
        "sources": await sources.source_counts(round_id),
    }


async def decide_meetings(round_id: int) -> list[dict[str, Any]]:
    """The round's 民主议事定方向 meetings with where each stands: the decision comes only from one
    of them, once it is quorate and under way."""
    return [{"id": m.id, "title": m.title, "held_at": m.held_at, "status": m.status, "quorum": q,
             "quorum_text": council_meetings.quorum_basis(q, m.rules) if q.met
             else council_meetings.quorum_reason(q, m.rules)}
            for m, q in await council_meetings.quorums_of_round(round_id, MeetingStep.decide)]


class RoundController(Controller):
    path = "/rounds"
    dependencies = deps.ROUND

    @get("/", guards=[guards.SIGNED_IN])
    async def list_rounds(self, request: Request) -> Template | Redirect:
        user = request.user
        role = perm.role_of(user)
        if role is Role.unit_clerk:
            return Redirect("/projects/")  # a unit's start page (the login's and home's default is here)
        if role is Role.admin:
            rounds = await services.list_rounds()
            towns = await places.towns()
        elif role is Role.district_reviewer:
            rounds = await services.list_rounds(district_id=user.district)
            towns = []
        else:
            if user.town is None:
                raise Forbidden(_("您的账号没有所属镇（街道）。"))
            rounds = await services.list_rounds(town_id=user.town)
            towns = await places.towns([user.town])
        # ?town=N: one street's rounds (the dashboard's figures link here).
        want_town = request.query_params.get("town", "")
        if want_town.isascii() and want_town.isdigit():
            rounds = [r for r in rounds if r["town"] == int(want_town)]
        # The street's landing page carries its early warnings (民情热度表), with the rule.
        alerts, rule = [], None
        if role in perm.TOWN_STAFF and user.town is not None:
            area = await pulse.town_area(user.town)
            rule = await pulse_settings.of_district(area.district_id)
            alerts = await pulse.alerts(area, dates.today(), rule)
        return Template("wishlists/rounds.html", context={
            "alerts": alerts, "rule": rule, "pulse_town": user.town if alerts else None,
            "rounds": rounds, "towns": towns, "can_create": perm.can_create_round(user),
            "error": None, "form": {},
        })

    @post("/", guards=[guards.CREATE_ROUND])
    async def create_round(self, request: Request) -> Template | Redirect:
        user = request.user
        form = await request.form()
        town_id = user.town if perm.role_of(user) is not Role.admin else form_int(form.get("town"), _("镇（街道）"))
        perm.require(perm.can_manage_round(user, town_id))
        round_id = await services.create_round(
            town_id=town_id,
            title=str(form.get("title", "")),
            budget_fen=parse_yuan(str(form.get("budget", "0") or "0"), _("批次预算")),
            max_ticks=form_int(form.get("max_ticks"), _("最多可勾选项数"), default=0),
            actor=user,
        )
        return Redirect(f"/rounds/{round_id}")

    @get("/{round_id:int}", guards=[guards.VIEW_ROUND])
    async def round_page(self, request: Request, round_id: int) -> Template:
        context = await round_context(request.user, round_id)
        return Template("wishlists/round.html", context={**context, "error": None, "form": {}})

    @get("/{round_id:int}/edit", guards=[guards.MANAGE_ROUND])
    async def edit_page(self, round_: RoundView) -> Template:
        """A draft round's name, budget and maximum ticks; once published, the refusal instead."""
        context = {"round": round_, "form": None, "error": None}
        try:
            services.ensure_editable(round_)
        except DomainError as exc:
            return refused("wishlists/round_edit.html", exc, context)
        return Template("wishlists/round_edit.html", context=context)

    @post("/{round_id:int}/edit", guards=[guards.MANAGE_ROUND])
    async def edit(self, request: Request, round_id: int, round_: RoundView) -> Template | Redirect:
        form = await request.form()
        try:
            await services.update_round_rules(
                round_,
                title=str(form.get("title", "")),
                budget_fen=parse_yuan(str(form.get("budget", "")), _("批次预算")),
                max_ticks=form_int(form.get("max_ticks"), _("最多可勾选项数"), default=0),
                actor=request.user,
            )
        except DomainError as exc:
            return refused("wishlists/round_edit.html", exc, {"round": round_}, form)
        return Redirect(f"/rounds/{round_id}")

    @post("/{round_id:int}/items", guards=[guards.MANAGE_ROUND])
    async def add_item(self, request: Request, round_id: int, round_: RoundView) -> Template | Redirect:
        form = await request.form()
        try:
            await services.add_item(round_, **item_input(form), actor=request.user)
        except DomainError as exc:
            return refused("wishlists/round.html", exc, await round_context(request.user, round_id), form)
        return Redirect(f"/rounds/{round_id}#items")

    @post("/{round_id:int}/items/{item_id:int}/delete", guards=[guards.MANAGE_ROUND])
    async def remove_item(self, request: Request, round_id: int, item_id: int) -> Redirect:
        await sources.remove_wish_item(round_id, item_id, actor=request.user)
        return Redirect(f"/rounds/{round_id}#items")
