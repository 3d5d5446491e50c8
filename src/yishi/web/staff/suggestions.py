"""Staff side of 寻民意: the list with filters, one suggestion with its triage and answer, merging
duplicates, and turning suggestions into wish-list items. Routes parse, call a service, render."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.plugins.htmx import HTMXRequest, HTMXTemplate
from litestar.response import Redirect, Template

from yishi.accounts.enums import Role
from yishi.accounts.permissions import id_of
from yishi.cases import history as case_history
from yishi.cases import services as cases
from yishi.core import codes as code_utils
from yishi.core.errors import DomainError, Forbidden, NotFound
from yishi.core.i18n import _
from yishi.core.money import parse_yuan
from yishi.evaluation import rates
from yishi.places import services as places
from yishi.suggestions import catalog, exports, queries, rules, services
from yishi.suggestions import permissions as perm
from yishi.suggestions.enums import (
    OPEN_STATUSES,
    Channel,
    Grade,
    SuggestionStatus,
    Tier,
    Track,
)
from yishi.suggestions.tables import Suggestion
from yishi.web import deps, forms, guards
from yishi.web.responses import file_response
from yishi.wishlists import services as wishlists
from yishi.wishlists import sources
from yishi.wishlists.enums import ItemKind, RoundStatus
from yishi.wishlists.tables import Round, WishItem


async def scope_for(user: Any) -> queries.Scope:
    role = perm.role_of(user)
    if role is Role.admin:
        return queries.Scope(None)
    if role is Role.district_reviewer and user.district is not None:
        return await queries.scope_of_district(id_of(user.district))
    if user.town is not None:
        return queries.Scope((id_of(user.town),))
    raise Forbidden(_("您的账号没有所属镇（街道），无法查看居民建议。"))


async def towns_in(scope: queries.Scope) -> list[dict]:
    return await places.towns(scope.town_ids)


async def communities_in(scope: queries.Scope) -> list[dict]:
    return await places.communities_in(scope.town_ids)


async def filters_of(request: Request) -> queries.Filters:
    """The list's filters from the URL, ?round=N turned into the suggestions its projects answer."""
    filters = queries.filters_from(request.query_params)
    if filters.round is not None:
        filters = replace(filters, ids=tuple(sorted(await rates.round_suggestions(filters.round))))
    return filters


HELPERS = {"display_code": rules.display_code, "progress_label": queries.progress_label}


async def load_handled(user: Any, suggestion_id: int) -> dict:
    row = await services.get(suggestion_id)
    perm.require(perm.can_handle_suggestion(user, row["town"]),
                 _("只有本镇（街道）工作人员可以办理居民建议。"))
    return row


async def detail_context(user: Any, suggestion_id: int, **extra: Any) -> dict[str, Any]:
    s = await services.get(suggestion_id)  # the route's guard has checked who may see it
    today = rules.today_in_china()
    candidates = []
    can_handle = perm.can_handle_suggestion(user, s["town"])
    if can_handle and s["status"] is not SuggestionStatus.merged:
        candidates = await Suggestion.select(
            Suggestion.id, Suggestion.tracking_code, Suggestion.content, Suggestion.category,
            Suggestion.community.name.as_alias("community_name"), Suggestion.received_on,
        ).where((Suggestion.town == s["town"]) & (Suggestion.id != s["id"])
                & Suggestion.status.is_in([x.value for x in OPEN_STATUSES])).order_by(
            Suggestion.id, ascending=False).limit(60).run()
        candidates.sort(key=lambda c: c["category"] != s["category"])
        candidates = candidates[:30]
    return {
        "s": s, "flag": rules.flag(s["status"], s["received_on"], s["due_on"], today),
        "history": await case_history.history(s["id"]),
        "case_id": await cases.case_id_of(s["id"]),
        "children": await services.merged_children(s["id"]),
        "wish_items": await sources.wish_items_of(s["id"]),
        "candidates": candidates,
        "days": await catalog.track_days(s["town"]),
        "can_handle": can_handle,
        "can_unmask": perm.can_unmask_phone(user, s["town"], s["handler"]),
        "error": None, "form": {}, "phone": None, "new": False,
        **HELPERS, **extra,
    }


async def detail_page(request: Request, suggestion_id: int, *, error: str | None = None, status_code: int = 200,
                      form: Any = None) -> Template:
    context = await detail_context(request.user, suggestion_id, error=error,
                                   form={k: forms.text(form, k) for k in form} if form else {})
    return Template("suggestions/detail.html", status_code=status_code, context=context)


async def entry_context(user: Any, **extra: Any) -> dict[str, Any]:
    scope = await scope_for(user)
    spots = await catalog.known_spots(id_of(user.town)) if getattr(user, "town", None) else []
    return {"communities": await communities_in(scope), "categories": await catalog.categories(), "spots": spots,
            "channels": [c for c in Channel], "form": {}, "errors": {}, "error": None,
            "default_community": id_of(user.community) if getattr(user, "community", None) else None,
            "today": rules.today_in_china(), **extra}


class SuggestionController(Controller):
    path = "/suggestions"
    dependencies = deps.SUGGESTION

    @get("/", guards=[guards.SUGGESTIONS])
    async def list_page(self, request: HTMXRequest, page: int = 1) -> Template:
        user = request.user
        scope = await scope_for(user)
        filters = await filters_of(request)
        result = await queries.search(scope, filters, page=page)
        towns = await towns_in(scope)
        context = {
            "result": result, "f": filters, "towns": towns, "communities": await communities_in(scope),
            "categories": await catalog.categories(active_only=False),
            "can_handle": any(perm.can_handle_suggestion(user, t["id"]) for t in towns),
            "can_record": any(perm.can_record_suggestion(user, t["id"]) for t in towns),
            "can_export": perm.can_export_suggestions(user, [t["id"] for t in towns]),
            **HELPERS,
        }
        if request.htmx and request.htmx.target == "results":
            return HTMXTemplate(template_name="suggestions/_results.html", context=context)
        return Template("suggestions/list.html", context=context)

    @get("/export.xlsx", guards=[guards.SUGGESTIONS])
    async def export(self, request: Request) -> Response:
        scope = await scope_for(request.user)
        towns = [t["id"] for t in await towns_in(scope)]
        perm.require(perm.can_export_suggestions(request.user, towns),
                     _("只有镇（街道）工作人员和区级审核人员可以导出居民建议。"))
        rows = await queries.export_rows(scope, await filters_of(request))
        filename, mime, data = await exports.list_xlsx(rows, _("居民建议清单"))
        return file_response(filename, mime, data)

    @get("/new", guards=[guards.RECORD_SUGGESTIONS])
    async def new_page(self, request: Request) -> Template:
        return Template("suggestions/new.html", context=await entry_context(request.user))

    @post("/new", guards=[guards.RECORD_SUGGESTIONS])
    async def create(self, request: Request) -> Template | Redirect:
        user = request.user
        form = await request.form()
        typed = {k: forms.text(form, k) for k in
                 ("content", "category", "community", "name", "phone", "channel", "received_on", "spot")}
        try:
            data = forms.suggestion_input(form)
            channel = forms.choice(form, "channel", Channel, _("渠道"))
            if data.community_id is not None:
                town = await places.town_of_community(data.community_id)
                perm.require(town is not None and perm.can_record_suggestion(user, town),
                             _("您只能为本镇（街道）的社区录入建议。"))
            receipt = await services.submit(data, channel=channel, actor=user)
        except forms.InvalidInput as exc:
            return Template("suggestions/new.html", status_code=exc.status_code, context=await entry_context(
                user, form=typed, errors=exc.errors, error=exc.message))
        except Forbidden:
            raise
        except DomainError as exc:
            return Template("suggestions/new.html", status_code=exc.status_code,
                            context=await entry_context(user, form=typed, error=exc.message))
        return Redirect(f"/suggestions/{receipt.id}?new=1")

    @get("/{suggestion_id:int}", guards=[guards.VIEW_SUGGESTION])
    async def detail(self, request: Request, suggestion_id: int, new: Any = None) -> Template:
        context = await detail_context(request.user, suggestion_id, new=bool(new))
        return Template("suggestions/detail.html", context=context)

    async def _act(self, request: Request, suggestion_id: int, action) -> Template | Redirect:
        form = await request.form()
        try:
            await action(form)
        except DomainError as exc:
            if isinstance(exc, Forbidden | NotFound):
                raise
            return await detail_page(request, suggestion_id, error=exc.message, status_code=exc.status_code,
                                     form=form)
        # Answered for good here (办结, 不予采纳, merged): its case, if a unit holds one, closes with it.
        await cases.follow_suggestion(suggestion_id, actor=request.user)
        for absorbed in forms.ids(form, "absorbed"):
            await cases.follow_suggestion(absorbed, actor=request.user)
        return Redirect(f"/suggestions/{suggestion_id}")

    @post("/{suggestion_id:int}/grade", guards=[guards.HANDLE_SUGGESTION])
    async def grade(self, request: Request, suggestion_id: int) -> Template | Redirect:
        async def run(form):
            await services.grade(
                suggestion_id, grade=forms.choice(form, "grade", Grade, _("分级")),
                track=forms.choice(form, "track", Track, _("办理方式")),
                tier=forms.choice(form, "tier", Tier, _("办理层级"), required=False),
                lead_unit=forms.text(form, "lead_unit"),
                due_on=forms.optional_date(form, "due_on", _("办理期限")), actor=request.user)
        return await self._act(request, suggestion_id, run)

    @post("/{suggestion_id:int}/start", guards=[guards.HANDLE_SUGGESTION])
    async def start(self, request: Request, suggestion_id: int) -> Template | Redirect:
        async def run(form):
            await services.start_handling(suggestion_id, actor=request.user)
        return await self._act(request, suggestion_id, run)

    @post("/{suggestion_id:int}/answer", guards=[guards.HANDLE_SUGGESTION])
    async def answer(self, request: Request, suggestion_id: int) -> Template | Redirect:
        async def run(form):
            await services.answer(suggestion_id, forms.text(form, "reply"), actor=request.user)
        return await self._act(request, suggestion_id, run)

    @post("/{suggestion_id:int}/close", guards=[guards.HANDLE_SUGGESTION])
    async def close(self, request: Request, suggestion_id: int) -> Template | Redirect:
        async def run(form):
            await services.close(suggestion_id, forms.text(form, "reply"), actor=request.user)
        return await self._act(request, suggestion_id, run)

    @post("/{suggestion_id:int}/reject", guards=[guards.HANDLE_SUGGESTION])
    async def reject(self, request: Request, suggestion_id: int) -> Template | Redirect:
        async def run(form):
            await services.reject(suggestion_id, forms.text(form, "reason"), forms.text(form, "reply"),
                                  actor=request.user)
        return await self._act(request, suggestion_id, run)

    @post("/{suggestion_id:int}/merge", guards=[guards.HANDLE_SUGGESTION])
    async def merge(self, request: Request, suggestion_id: int) -> Template | Redirect:
        async def run(form):
            absorbed = forms.ids(form, "absorbed")
            codes = code_utils.split(forms.text(form, "codes"))
            if codes:
                found = await Suggestion.select(Suggestion.id, Suggestion.tracking_code).where(
                    Suggestion.tracking_code.is_in(codes)).run()
                missing = set(codes) - {r["tracking_code"] for r in found}
                if missing:
                    raise forms.InvalidInput(_("查不到这些查询码：{codes}。").format(
                        codes="、".join(rules.display_code(c) for c in sorted(missing))), "codes")
                absorbed += [r["id"] for r in found]
            await services.merge(suggestion_id, absorbed, actor=request.user)
        return await self._act(request, suggestion_id, run)

    @post("/{suggestion_id:int}/phone", guards=[guards.UNMASK_PHONE])
    async def phone(self, request: HTMXRequest, suggestion_id: int, suggestion: dict) -> Template:
        s = suggestion
        number = await services.reveal_phone(suggestion_id, actor=request.user)
        if request.htmx:
            return HTMXTemplate(template_name="suggestions/_phone.html",
                                context={"s": s, "phone": number, "can_unmask": True})
        context = await detail_context(request.user, suggestion_id, phone=number)
        return Template("suggestions/detail.html", context=context)

    # --- suggestions -> wish list -------------------------------------------------------------

    async def _wish_context(self, request: Request, ids: list[int], **extra: Any) -> dict[str, Any]:
        if not ids:
            raise forms.InvalidInput(_("请先在列表中勾选要纳入清单的建议。"), "ids")
        rows = []
        for sid in sorted(set(ids))[:50]:
            rows.append(await load_handled(request.user, sid))
        towns = {r["town"] for r in rows}
        if len(towns) != 1:
            raise forms.InvalidInput(_("一次只能把同一镇（街道）的建议纳入清单。"), "ids")
        town_id = towns.pop()
        rounds = await Round.select(Round.id, Round.title, Round.status).where(Round.town == town_id).order_by(
            Round.id, ascending=False).run()
        items = await WishItem.select(WishItem.id, WishItem.title, WishItem.round.title.as_alias("round_title")).where(
            WishItem.round.town == town_id).order_by(WishItem.round, ascending=False).order_by(WishItem.position).run()
        return {"rows": rows, "draft_rounds": [r for r in rounds if r["status"] == RoundStatus.draft.value],
                "items": items, "kinds": list(ItemKind), "form": {}, "error": None, **HELPERS, **extra}

    @get("/wish", guards=[guards.SUGGESTIONS])
    async def wish_page(self, request: Request) -> Template:
        ids = forms.ids(request.query_params, "ids")
        return Template("suggestions/wish.html", context=await self._wish_context(request, ids))

    @post("/wish", guards=[guards.SUGGESTIONS])
    async def wish_create(self, request: Request) -> Template | Redirect:
        form = await request.form()
        ids = forms.ids(form, "ids")
        context = await self._wish_context(request, ids)
        try:
            kind = forms.choice(form, "kind", ItemKind, _("项目类型"))
            item_id = await sources.to_wish_item(
                ids, round_id=forms.required_int(form, "round", _("批次")), title=forms.text(form, "title"),
                description=forms.text(form, "description"),
                cost_fen=parse_yuan(forms.text(form, "cost"), _("预计费用")), kind=kind,
                reply=forms.text(form, "reply"), actor=request.user)
        except DomainError as exc:
            return forms.refused("suggestions/wish.html", exc, context, form)
        return Redirect(f"/suggestions/wish-items/{item_id}")

    @post("/link", guards=[guards.SUGGESTIONS])
    async def wish_link(self, request: Request) -> Template | Redirect:
        form = await request.form()
        ids = forms.ids(form, "ids")
        context = await self._wish_context(request, ids)
        try:
            item_id = forms.required_int(form, "item", _("清单项目"))
            await sources.link_to_item(ids, item_id=item_id, reply=forms.text(form, "reply"), actor=request.user)
        except DomainError as exc:
            return forms.refused("suggestions/wish.html", exc, context, form)
        return Redirect(f"/suggestions/wish-items/{item_id}")

    @get("/wish-items/{item_id:int}", guards=[guards.SUGGESTIONS])
    async def item_sources(self, request: Request, item_id: int) -> Template:
        """The wish-list item's side of the link: the suggestions it answers."""
        item = await WishItem.select(WishItem.id, WishItem.title, WishItem.description, WishItem.cost_fen,
                                     WishItem.round).where(WishItem.id == item_id).first().run()
        if item is None:
            raise NotFound(_("找不到这个清单项目。"))
        round_ = await wishlists.get_round(item["round"])
        perm.require(perm.can_view_suggestions(request.user, round_.town_id, round_.district_id))
        return Template("suggestions/item_sources.html", context={
            "item": item, "round": round_, "sources": await sources.sources_of_item(item_id), **HELPERS})
