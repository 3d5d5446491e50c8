"""The district's directory of units (责任单位), kept by the administrator: list, add, edit,
deactivate. A project's lead unit and implementer are picked from it (the project page)."""
from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from yishi.accounts import units
from yishi.accounts.enums import UnitKind
from yishi.core.errors import DomainError, NotFound
from yishi.core.i18n import _
from yishi.places import services as places
from yishi.web import guards
from yishi.web.forms import choice, refused, text

PAGE = "projects/units.html"


async def _district(request: Request, form: Any = None) -> tuple[int, list[dict]]:
    """The district whose directory is shown: ?district= (or the form's), else the user's, else the first."""
    districts = await places.districts()
    raw = (text(form, "district") if form is not None else "") or request.query_params.get("district") or ""
    wanted = getattr(request.user, "district", None)
    if raw:
        try:
            wanted = int(raw)
        except ValueError:
            raise NotFound(_("找不到这个区。")) from None
    if wanted is None and districts:
        wanted = districts[0]["id"]
    if wanted is None or wanted not in {d["id"] for d in districts}:
        raise NotFound(_("找不到这个区。"))
    return wanted, districts


async def units_context(district_id: int, districts: list[dict], **extra: Any) -> dict[str, Any]:
    return {"district_id": district_id, "districts": districts, "kinds": list(UnitKind),
            "units": await units.units_of(district_id, active_only=False), "error": None, "form": {},
            "edit_id": None, **extra}


class UnitController(Controller):
    path = "/units"
    guards = (guards.MANAGE_UNITS,)

    @get("/")
    async def directory(self, request: Request) -> Template:
        district_id, districts = await _district(request)
        return Template(PAGE, context=await units_context(district_id, districts))

    @post("/")
    async def add(self, request: Request) -> Template | Redirect:
        form = await request.form()
        district_id, districts = await _district(request, form)
        try:
            await units.create_unit(district_id, name=text(form, "name"),
                                    kind=choice(form, "kind", UnitKind, _("单位类别")),
                                    contact_name=text(form, "contact_name"), contact_phone=text(form, "contact_phone"),
                                    actor=request.user)
        except DomainError as exc:
            return refused(PAGE, exc, await units_context(district_id, districts), form)
        return Redirect(f"/units/?district={district_id}")

    @post("/{unit_id:int}")
    async def edit(self, request: Request, unit_id: int) -> Template | Redirect:
        form = await request.form()
        unit = await units.get_unit(unit_id)
        districts = await places.districts()
        try:
            await units.update_unit(unit_id, name=text(form, "name"),
                                    kind=choice(form, "kind", UnitKind, _("单位类别")),
                                    contact_name=text(form, "contact_name"), contact_phone=text(form, "contact_phone"),
                                    active=text(form, "active") == "1", actor=request.user)
        except DomainError as exc:
            return refused(PAGE, exc, await units_context(unit["district"], districts), form, edit_id=unit_id)
        return Redirect(f"/units/?district={unit['district']}#u{unit_id}")

    @post("/{unit_id:int}/deactivate")
    async def deactivate(self, request: Request, unit_id: int) -> Redirect:
        unit = await units.get_unit(unit_id)
        await units.update_unit(unit_id, name=unit["name"], kind=unit["kind"], contact_name=unit["contact_name"],
                                contact_phone=unit["contact_phone"], active=not unit["active"], actor=request.user)
        return Redirect(f"/units/?district={unit['district']}#u{unit_id}")
