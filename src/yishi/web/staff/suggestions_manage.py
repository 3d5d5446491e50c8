"""Running the intake: observation points and their posters, Excel import, the numbers, and the
settings (deadlines per track, categories, purge of personal data)."""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from yishi.accounts.enums import Role
from yishi.accounts.permissions import id_of
from yishi.core import i18n
from yishi.core.errors import DomainError, Forbidden, NotFound
from yishi.core.i18n import _, ngettext
from yishi.places import services as places
from yishi.suggestions import catalog, exports, queries, retention, rules
from yishi.suggestions import permissions as perm
from yishi.suggestions.enums import Track
from yishi.web import forms, guards, links
from yishi.web.responses import file_response
from yishi.web.staff.suggestions import communities_in, filters_of, scope_for, towns_in

IMPORT_MAX_BODY = exports.IMPORT_MAX_BYTES + 64 * 1024


async def _own_town(request: Request, form_town: Any = None) -> int:
    """The town a staff action is for: the user's own, or the one an administrator picked."""
    user = request.user
    if perm.role_of(user) is Role.admin:
        town_id = forms.optional_int({"town": form_town}, "town", _("镇（街道）"))
        if town_id is None:
            towns = await towns_in(queries.Scope(None))
            if not towns:
                raise DomainError(_("还没有镇（街道）。"))
            town_id = towns[0]["id"]
        elif not await places.town_exists(town_id):
            raise NotFound(_("找不到这个镇（街道）。"))
        return town_id
    if user.town is None:
        raise Forbidden(_("您的账号没有所属镇（街道）。"))
    return id_of(user.town)


class SuggestionManageController(Controller):
    path = "/suggestions"

    # --- observation points ---------------------------------------------------------------------

    async def _points_context(self, request: Request, town_id: int, **extra: Any) -> dict[str, Any]:
        perm.require(perm.can_manage_points(request.user, town_id))
        return {
            "town": await catalog.town_ref(town_id), "points": await catalog.points_of_town(town_id),
            "communities": await places.communities_of(town_id),
            "towns": await towns_in(queries.Scope(None)) if perm.role_of(request.user) is Role.admin else [],
            "base_url": links.public_base(request), "form": {}, "error": None, **extra,
        }

    @get("/points", guards=[guards.TOWN_STAFF])
    async def points(self, request: Request, town: Any = None) -> Template:
        town_id = await _own_town(request, town)
        return Template("suggestions/points.html", context=await self._points_context(request, town_id))

    @post("/points", guards=[guards.TOWN_STAFF])
    async def create_point(self, request: Request) -> Template | Redirect:
        form = await request.form()
        community_id = forms.optional_int(form, "community", _("社区"))
        town_id = await _own_town(request, forms.text(form, "town"))
        perm.require(perm.can_manage_points(request.user, town_id))
        try:
            if community_id is None or community_id not in {
                    c["id"] for c in await places.communities_of(town_id)}:
                raise forms.InvalidInput(_("请选择本镇（街道）的社区（村）。"), "community")
            await catalog.create_point(community_id=community_id, name=forms.text(form, "name"),
                                        address=forms.text(form, "address"), actor=request.user)
        except DomainError as exc:
            return forms.refused("suggestions/points.html", exc, await self._points_context(request, town_id), form)
        return Redirect(f"/suggestions/points?town={town_id}")

    @post("/points/{point_id:int}/toggle", guards=[guards.TOWN_STAFF])
    async def toggle_point(self, request: Request, point_id: int) -> Redirect:
        point = await catalog.get_point(point_id)
        perm.require(perm.can_manage_points(request.user, point.town_id))
        await catalog.set_point_active(point_id, not point.active, actor=request.user)
        return Redirect(f"/suggestions/points?town={point.town_id}")

    @get("/points/{point_id:int}/poster.pdf", guards=[guards.TOWN_STAFF])
    async def poster(self, request: Request, point_id: int) -> Response:
        point = await catalog.get_point(point_id)
        perm.require(perm.can_manage_points(request.user, point.town_id))
        filename, mime, data = await exports.poster_pdf(point_id, links.public_base(request),
                                                        i18n.print_language(request.query_params.get("lang")))
        return file_response(filename, mime, data, inline=True)

    # --- Excel import ---------------------------------------------------------------------------

    async def _import_context(self, request: Request, town_id: int, **extra: Any) -> dict[str, Any]:
        perm.require(perm.can_record_suggestion(request.user, town_id),
                     _("只有民情收集员和镇（街道）工作人员可以导入建议。"))
        return {"town": await catalog.town_ref(town_id), "errors": [], "error": None, "imported": None,
                "towns": await towns_in(queries.Scope(None)) if perm.role_of(request.user) is Role.admin else [],
                "max_rows": exports.IMPORT_MAX_ROWS, "display_code": rules.display_code, **extra}

    @get("/import", guards=[guards.RECORD_SUGGESTIONS])
    async def import_page(self, request: Request, town: Any = None) -> Template:
        town_id = await _own_town(request, town)
        return Template("suggestions/import.html", context=await self._import_context(request, town_id))

    @get("/import/template.xlsx", guards=[guards.RECORD_SUGGESTIONS])
    async def import_template(self, request: Request, town: Any = None) -> Response:
        town_id = await _own_town(request, town)
        await self._import_context(request, town_id)
        return file_response(*await exports.template_xlsx(town_id))

    @post("/import", request_max_body_size=IMPORT_MAX_BODY, guards=[guards.RECORD_SUGGESTIONS])
    async def import_file(self, request: Request) -> Template:
        form = await request.form()
        town_id = await _own_town(request, forms.text(form, "town"))
        context = await self._import_context(request, town_id)
        upload = form.get("file")
        if upload is None or not hasattr(upload, "read"):
            return Template("suggestions/import.html", status_code=400,
                            context={**context, "error": _("请选择要上传的 Excel 文件。")})
        data = await upload.read()
        try:
            receipts = await exports.import_xlsx(data, town_id, actor=request.user)
        except exports.ImportFailed as exc:
            return Template("suggestions/import.html", status_code=400,
                            context={**context, "error": exc.message, "errors": exc.errors})
        return Template("suggestions/import.html", context={**context, "imported": receipts})

    # --- the numbers ----------------------------------------------------------------------------

    @get("/stats", guards=[guards.SUGGESTIONS])
    async def stats(self, request: Request, by: str = "") -> Template:
        scope = await scope_for(request.user)
        filters = await filters_of(request)
        towns = await towns_in(scope)
        default_by = "town" if len(towns) > 1 else "community"
        by = by if by in queries.GROUPINGS else default_by
        summary = await queries.figures(scope, filters, by)
        groups = sorted(summary.groups.items(), key=lambda kv: (-kv[1].cases, str(kv[0])))
        return Template("suggestions/stats.html", context={
            "can_export": perm.can_export_suggestions(request.user, [t["id"] for t in towns]),
            "summary": summary, "groups": groups, "by": by, "f": filters, "towns": towns,
            "communities": await communities_in(scope), "categories": await catalog.categories(active_only=False),
            "groupings": {"town": _("镇（街道）"), "community": _("社区（村）"), "category": _("类别"),
                          "channel": _("渠道")},
        })

    # --- settings -------------------------------------------------------------------------------

    async def _settings_context(self, request: Request, town_id: int, **extra: Any) -> dict[str, Any]:
        user = request.user
        perm.require(perm.can_configure_deadlines(user, town_id) or perm.can_configure_categories(user))
        return {"town": await catalog.town_ref(town_id), "days": await catalog.track_days(town_id),
                "tracks": list(Track), "categories": await catalog.categories(active_only=False),
                "can_deadlines": perm.can_configure_deadlines(user, town_id),
                "can_categories": perm.can_configure_categories(user),
                "can_purge": perm.can_purge_personal_data(user), "retention": retention.RETENTION_DAYS,
                "towns": await towns_in(queries.Scope(None)) if perm.role_of(user) is Role.admin else [],
                "error": None, "message": None, **extra}

    @get("/settings", guards=[guards.TOWN_STAFF])
    async def settings_page(self, request: Request, town: Any = None) -> Template:
        town_id = await _own_town(request, town)
        return Template("suggestions/settings.html", context=await self._settings_context(request, town_id))

    @post("/settings/deadlines", guards=[guards.TOWN_STAFF])
    async def save_deadlines(self, request: Request) -> Template | Redirect:
        form = await request.form()
        town_id = await _own_town(request, forms.text(form, "town"))
        perm.require(perm.can_configure_deadlines(request.user, town_id))
        try:
            days = {}
            for t in Track:
                n = forms.optional_int(form, t.value, t.label)
                if n is None:
                    raise forms.InvalidInput(_("请填写“{t}”的办理时限。").format(t=t.label), t.value)
                days[t] = n
            await catalog.set_track_days(town_id, days, actor=request.user)
        except DomainError as exc:
            return forms.refused("suggestions/settings.html", exc, await self._settings_context(request, town_id))
        return Redirect(f"/suggestions/settings?town={town_id}")

    @post("/settings/categories", guards=[guards.CONFIGURE_CATEGORIES])
    async def add_category(self, request: Request) -> Template | Redirect:
        form = await request.form()
        town_id = await _own_town(request, forms.text(form, "town"))
        try:
            await catalog.add_category(forms.text(form, "name"), actor=request.user)
        except DomainError as exc:
            return forms.refused("suggestions/settings.html", exc, await self._settings_context(request, town_id))
        return Redirect(f"/suggestions/settings?town={town_id}")

    @post("/settings/categories/{category_id:int}/toggle", guards=[guards.CONFIGURE_CATEGORIES])
    async def toggle_category(self, request: Request, category_id: int) -> Redirect:
        form = await request.form()
        await catalog.set_category_active(category_id, forms.text(form, "active") == "1", actor=request.user)
        return Redirect("/suggestions/settings")

    @post("/settings/purge", guards=[guards.PURGE_PERSONAL_DATA])
    async def purge(self, request: Request) -> Template:
        town_id = await _own_town(request, None)
        n = await retention.purge_personal_data(actor=request.user)
        return Template("suggestions/settings.html", context=await self._settings_context(
            request, town_id, message=ngettext("已清除 {n} 条建议中到期的居民个人信息。",
                                               "已清除 {n} 条建议中到期的居民个人信息。", n).format(n=n)))
