"""Form input -> typed values, with messages a resident or a staff member can act on."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from yishi.core.errors import DomainError
from yishi.core.i18n import _


class InvalidInput(DomainError):
    """A bad field: `field` names the input so the form can point at it; `errors` holds every bad
    field (name -> message) when a whole form was checked at once."""

    def __init__(self, message: str, field: str = "", errors: dict[str, str] | None = None) -> None:
        super().__init__(message, 400)
        self.field = field
        self.errors = errors or ({field: message} if field else {})


def text(form: Any, name: str) -> str:
    value = form.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


def optional_int(form: Any, name: str, label: str) -> int | None:
    raw = text(form, name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(_("{label}选择有误，请重新选择。").format(label=label), name)


def required_int(form: Any, name: str, label: str) -> int:
    value = optional_int(form, name, label)
    if value is None:
        raise InvalidInput(_("请选择{label}。").format(label=label), name)
    return value


def optional_date(form: Any, name: str, label: str) -> date | None:
    raw = text(form, name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(_("{label}格式不对，应为 2026-03-01 这样的日期。").format(label=label), name)


def choice(form: Any, name: str, enum_cls: Any, label: str, required: bool = True) -> Any:
    raw = text(form, name)
    if not raw:
        if required:
            raise InvalidInput(_("请选择{label}。").format(label=label), name)
        return None
    try:
        return enum_cls(raw)
    except ValueError:
        raise InvalidInput(_("{label}选择有误，请重新选择。").format(label=label), name)


def ids(form: Any, name: str) -> list[int]:
    try:
        values = form.getall(name) if hasattr(form, "getall") else form.get(name)
    except KeyError:  # multidict's getall on a missing key
        values = None
    if values is None:
        return []
    if not isinstance(values, list):
        values = [values]
    try:
        return [int(v) for v in values if str(v).strip()]
    except ValueError:
        raise InvalidInput(_("提交的内容格式不对，请刷新页面后重新提交。"), name)


@dataclass
class SuggestionInput:
    content: str
    category_id: int | None
    community_id: int | None
    name: str = ""
    phone: str = ""
    received_on: date | None = None


def suggestion_input(form: Any) -> SuggestionInput:
    return SuggestionInput(
        content=text(form, "content"),
        category_id=optional_int(form, "category", _("类别")),
        community_id=optional_int(form, "community", _("社区")),
        name=text(form, "name"),
        phone=text(form, "phone"),
        received_on=optional_date(form, "received_on", _("收集日期")),
    )
