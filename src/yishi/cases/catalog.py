"""派单目录: the district's three-level classification of what residents ask, each line with the
unit it goes to by default (seed 003: "按照诉求分类和管辖权属,编制…三级分类的派单目录,并实行
动态调整更新"). The dispatch form pre-fills the line of the suggestion's category."""
from __future__ import annotations

from typing import Any

from yishi.accounts.tables import Unit
from yishi.cases.enums import CaseKind
from yishi.cases.tables import CatalogEntry
from yishi.core import audit, db
from yishi.core.errors import Conflict, InvalidInput, NotFound
from yishi.core.i18n import _
from yishi.suggestions.tables import Category

LEVEL_MAX = 30


def path_of(entry: dict) -> str:
    """'城市管理 › 市容环境 › 垃圾清运'."""
    return " › ".join(p for p in (entry["level1"], entry["level2"], entry["level3"]) if p)


async def entries_of(district_id: int, *, active_only: bool = True) -> list[dict]:
    query = CatalogEntry.select(*CatalogEntry.all_columns(), CatalogEntry.unit.name.as_alias("unit_name"),
                                CatalogEntry.category.name.as_alias("category_name")).where(
        CatalogEntry.district == district_id)
    if active_only:
        query = query.where(CatalogEntry.active == True)  # noqa: E712 - Piccolo builds SQL from ==
    rows = await query.order_by(CatalogEntry.level1).order_by(CatalogEntry.level2).order_by(CatalogEntry.level3).run()
    for row in rows:
        row["path"] = path_of(row)
        row["kind"] = CaseKind(row["kind"])
    return rows


def _level(value: str, name: str, required: bool = False) -> str:
    value = (value or "").strip().replace("/", "／")
    if required and not value:
        raise InvalidInput(_("请填写一级分类。"), name)
    if len(value) > LEVEL_MAX:
        raise InvalidInput(_("分类名称不能超过 {n} 个字。").format(n=LEVEL_MAX), name)
    return value


async def add_entry(district_id: int, *, level1: str, level2: str, level3: str, unit_id: int | None,
                    category_id: int | None, kind: CaseKind, actor: Any) -> int:
    level1, level2, level3 = _level(level1, "level1", True), _level(level2, "level2"), _level(level3, "level3")
    if level3 and not level2:
        raise InvalidInput(_("填写三级分类前请先填写二级分类。"), "level2")
    if unit_id is None or not await Unit.exists().where(
            (Unit.id == unit_id) & (Unit.district == district_id) & (Unit.active == True)):  # noqa: E712
        raise InvalidInput(_("请从本区单位名录中选择默认承办单位。"), "unit")
    if category_id is not None and not await Category.exists().where(Category.id == category_id):
        raise InvalidInput(_("所选建议类别不存在。"), "category")
    slot = f"{district_id}:{level1}/{level2}/{level3}"
    try:
        rows = await CatalogEntry.insert(CatalogEntry(
            district=district_id, level1=level1, level2=level2, level3=level3, unit=unit_id, category=category_id,
            kind=kind, active=True, slot=slot)).returning(CatalogEntry.id).run()
    except Exception as exc:
        if db.is_unique_violation(exc):
            raise Conflict(_("派单目录里已有“{path}”。").format(path=path_of(
                {"level1": level1, "level2": level2, "level3": level3}))) from exc
        raise
    await audit.record("case.catalog.added", actor=actor, object_type="district", object_id=district_id,
                       entry=rows[0]["id"], path=slot.split(":", 1)[1], unit=unit_id)
    return rows[0]["id"]


async def get_entry(entry_id: int) -> dict:
    row = await CatalogEntry.select().where(CatalogEntry.id == entry_id).first().run()
    if row is None:
        raise NotFound(_("派单目录里没有这一项。"))
    return row


async def set_active(entry_id: int, active: bool, *, actor: Any) -> None:
    entry = await get_entry(entry_id)
    await CatalogEntry.update({CatalogEntry.active: active}).where(CatalogEntry.id == entry_id).run()
    await audit.record("case.catalog.toggled", actor=actor, object_type="district", object_id=entry["district"],
                       entry=entry_id, active=active)


def default_for(entries: list[dict], category_id: int | None) -> dict | None:
    """The line a suggestion of this category pre-fills: the first active one linked to it."""
    return next((e for e in entries if category_id is not None and e["category"] == category_id), None)
