"""The district's directory of units (责任单位), kept by the administrator."""
from __future__ import annotations

from typing import Any

from yishi.accounts.enums import UnitKind
from yishi.accounts.tables import Unit
from yishi.core import audit, db
from yishi.core.errors import Conflict, DomainError, NotFound
from yishi.core.i18n import _


def _clean(name: str, contact_name: str, contact_phone: str) -> tuple[str, str, str]:
    name, contact_name, contact_phone = ((name or "").strip(), (contact_name or "").strip(),
                                         (contact_phone or "").strip())
    if not name:
        raise DomainError(_("请填写单位名称。"))
    if len(name) > 80:
        raise DomainError(_("单位名称不能超过 80 个字。"))
    if len(contact_name) > 40 or len(contact_phone) > 30:
        raise DomainError(_("联系人或联系电话太长。"))
    return name, contact_name, contact_phone


async def create_unit(district_id: int, *, name: str, kind: UnitKind, contact_name: str = "",
                      contact_phone: str = "", actor: Any = None) -> int:
    name, contact_name, contact_phone = _clean(name, contact_name, contact_phone)
    slot = f"{district_id}:{name}"
    try:
        rows = await Unit.insert(Unit(district=district_id, name=name, kind=kind, contact_name=contact_name,
                                      contact_phone=contact_phone, active=True, slot=slot)).returning(Unit.id).run()
    except Exception as exc:
        if db.is_unique_violation(exc):
            raise Conflict(_("单位“{name}”已在名录中。").format(name=name)) from exc
        raise
    await audit.record("account.unit.created", actor=actor, object_type="unit", object_id=rows[0]["id"],
                       name=name, kind=kind.value)
    return rows[0]["id"]


async def update_unit(unit_id: int, *, name: str, kind: UnitKind, contact_name: str, contact_phone: str,
                      active: bool, actor: Any = None) -> None:
    unit = await get_unit(unit_id)
    name, contact_name, contact_phone = _clean(name, contact_name, contact_phone)
    try:
        await Unit.update({Unit.name: name, Unit.kind: kind, Unit.contact_name: contact_name,
                           Unit.contact_phone: contact_phone, Unit.active: active,
                           Unit.slot: f"{unit['district']}:{name}"}).where(Unit.id == unit_id).run()
    except Exception as exc:
        if db.is_unique_violation(exc):
            raise Conflict(_("单位“{name}”已在名录中。").format(name=name)) from exc
        raise
    await audit.record("account.unit.updated", actor=actor, object_type="unit", object_id=unit_id,
                       name=name, active=active)


async def get_unit(unit_id: int) -> dict:
    row = await Unit.select().where(Unit.id == unit_id).first().run()
    if row is None:
        raise NotFound(_("找不到这个单位。"))
    row["kind"] = UnitKind(row["kind"])
    return row


async def units_of(district_id: int, *, active_only: bool = True) -> list[dict]:
    query = Unit.select().where(Unit.district == district_id)
    if active_only:
        query = query.where(Unit.active == True)  # noqa: E712 - Piccolo builds SQL from ==
    rows = await query.order_by(Unit.name).run()
    for row in rows:
        row["kind"] = UnitKind(row["kind"])
    return rows


async def find_by_name(district_id: int, name: str) -> int | None:
    """The directory entry an item's free-text 牵头单位 names exactly, if any."""
    name = (name or "").strip()
    if not name:
        return None
    row = await Unit.select(Unit.id).where(Unit.slot == f"{district_id}:{name}").first().run()
    return row["id"] if row else None
