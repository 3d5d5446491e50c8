"""The lists behind the dashboard's figures that no other page lists: residents' ratings and the
ballot codes issued and ballots cast, for the district reviewer (all its streets, or one with
?town=) and for one street's staff. Every count on the dashboard links to one of these, or to
the suggestions, projects, rounds, 月调度 or ledger pages, and the list shows the same count."""
from __future__ import annotations

from types import MappingProxyType

from litestar import Controller, Request, get
from litestar.response import Template

from yishi.core.errors import DomainError, NotFound
from yishi.core.i18n import _
from yishi.evaluation import lists, rules
from yishi.places import services as places
from yishi.web import deps, guards
from yishi.web.forms import query_month


def _int(request: Request, name: str, label: str) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise DomainError(_("{label}应为编号（整数）。").format(label=label))
    return int(raw)


async def _town_of(request: Request, district_id: int, town_id: int | None) -> int | None:
    """A street's page is its own; the district's takes ?town= one of its streets."""
    if town_id is not None:
        return town_id
    wanted = _int(request, "town", _("镇（街道）"))
    if wanted is not None and wanted not in await places.town_ids_of_district(district_id):
        raise NotFound(_("这个镇（街道）不属于本区。"))
    return wanted


async def _town_name(town_id: int | None) -> str:
    """The name of the street a list is narrowed to ("" for the whole district)."""
    if town_id is None:
        return ""
    return (await places.known_town(town_id))["name"]


class DashboardListsController(Controller):
    path = "/dashboard"
    dependencies = MappingProxyType({**deps.DISTRICT, **deps.TOWN})

    async def _ratings(self, request: Request, district_id: int, town_id: int | None, base: str) -> Template:
        f = lists.check(lists.RatingFilters(
            town=await _town_of(request, district_id, town_id), month=query_month(request),
            round=_int(request, "round", _("批次")), community=_int(request, "community", _("社区")),
            project=_int(request, "project", _("项目")), grade=request.query_params.get("grade", "").strip(),
            channel=request.query_params.get("channel", "").strip()))
        rows = await lists.ratings(district_id, f)
        return Template("evaluation/ratings_list.html", context={
            "rows": rows, "f": f, "base": base, "definitions": rules.definitions(),
            "channel_label": lists.channel_label(f.channel) if f.channel else "",
            "town_name": await _town_name(f.town)})

    @get("/{district_id:int}/ratings", guards=[guards.VIEW_DISTRICT])
    async def district_ratings(self, request: Request, district: dict) -> Template:
        return await self._ratings(request, district["id"], None, f"/dashboard/{district['id']}")

    @get("/street/{town_id:int}/ratings", guards=[guards.VIEW_STREET])
    async def street_ratings(self, request: Request, town: dict) -> Template:
        return await self._ratings(request, town["district"], town["id"], f"/dashboard/street/{town['id']}")

    async def _turnout(self, request: Request, district_id: int, town_id: int | None, base: str) -> Template:
        town = await _town_of(request, district_id, town_id)
        ids = [town] if town is not None else await places.town_ids_of_district(district_id)
        rows = await lists.turnout(ids)
        return Template("evaluation/turnout.html", context={
            "rows": rows, "base": base, "issued": sum(r["issued"] for r in rows),
            "cast": sum(r["cast"] for r in rows), "town_name": await _town_name(town)})

    @get("/{district_id:int}/turnout", guards=[guards.VIEW_DISTRICT])
    async def district_turnout(self, request: Request, district: dict) -> Template:
        return await self._turnout(request, district["id"], None, f"/dashboard/{district['id']}")

    @get("/street/{town_id:int}/turnout", guards=[guards.VIEW_STREET])
    async def street_turnout(self, request: Request, town: dict) -> Template:
        return await self._turnout(request, town["district"], town["id"], f"/dashboard/street/{town['id']}")
