"""The wish-list item form, as the round page and the 恳谈交清单 meeting both post it."""
from __future__ import annotations

from typing import Any

from yishi.core.errors import DomainError
from yishi.core.i18n import _
from yishi.core.money import parse_yuan
from yishi.wishlists.enums import ItemKind


def item_input(form: Any) -> dict[str, Any]:
    """title, description, cost_fen, kind and lead_unit from the posted form; a clear message for
    a missing type or a cost that is not an amount (the other fields are checked by the service)."""
    try:
        kind = ItemKind(str(form.get("kind", "")))
    except ValueError:
        raise DomainError(_("请选择项目类型（普惠性、特色或试点）。"))
    return {"title": str(form.get("title", "")), "description": str(form.get("description", "")),
            "cost_fen": parse_yuan(str(form.get("cost", "")), _("预计费用")), "kind": kind,
            "lead_unit": str(form.get("lead_unit", ""))}
