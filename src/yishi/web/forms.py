"""One form toolkit for every page: read typed values, turn junk into a clear Chinese message, and
show a refused form again with what was typed (`refused`), so nothing typed is lost."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from litestar.datastructures import FormMultiDict
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from yishi.core import dates
from yishi.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from yishi.core.i18n import _
from yishi.core.money import parse_yuan
from yishi.core.numbers import parse_int
from yishi.evaluation.rules import month_bounds
from yishi.suggestions.inputs import SuggestionInput
from yishi.wishlists.enums import ItemKind

if TYPE_CHECKING:
    from babel.support import LazyProxy

__all__ = ["InvalidInput"]


class FormRequest(HTMXRequest):
    """The app's request class (create_app's request_class, in place of the htmx plugin's own,
    which it extends): every form is read without NUL
    characters. PostgreSQL text cannot hold them (the insert fails), a form never means one, and
    dropping them here, where every form is read, keeps everything else exactly as typed."""

    async def form(self) -> FormMultiDict:
        form = await super().form()
        if not any(isinstance(v, str) and "\x00" in v for _k, v in form.multi_items()):
            return form
        return FormMultiDict([(k, v.replace("\x00", "") if isinstance(v, str) else v)
                              for k, v in form.multi_items()])


def _int(value: Any) -> int:
    """Every whole number a form sends goes through core.numbers.parse_int: junk and numbers
    beyond 64 bits are a ValueError, which each reader words for its field."""
    number = parse_int(value)
    if number is None:
        raise ValueError("blank")
    return number


def form_ints(values: Any) -> list[int]:
    """Checkbox values from a form (one value or a list) as ints; junk becomes a clear error."""
    if values is None:
        return []
    if not isinstance(values, list):
        values = [values]
    try:
        return [_int(v) for v in values]
    except (TypeError, ValueError):
        raise DomainError(_("提交的内容格式不对，请刷新页面后重新提交。")) from None


def form_int(value: Any, field: str | LazyProxy, default: int | None = None) -> int:
    if value in (None, ""):
        if default is not None:
            return default
        raise DomainError(_("请填写{field}。").format(field=field))
    try:
        return _int(value)
    except ValueError:
        raise DomainError(_("{field}应为整数。").format(field=field)) from None


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
        return _int(raw)
    except ValueError:
        raise InvalidInput(_("{label}选择有误，请重新选择。").format(label=label), name) from None


def required_int(form: Any, name: str, label: str) -> int:
    value = optional_int(form, name, label)
    if value is None:
        raise InvalidInput(_("请选择{label}。").format(label=label), name)
    return value


def optional_date(form: Any, name: str, label: str) -> date | None:
    try:
        return dates.parse_date(text(form, name), label)
    except DomainError as exc:
        raise InvalidInput(exc.message, name) from exc


def choice(form: Any, name: str, enum_cls: Any, label: str, required: bool = True) -> Any:
    raw = text(form, name)
    if not raw:
        if required:
            raise InvalidInput(_("请选择{label}。").format(label=label), name)
        return None
    try:
        return enum_cls(raw)
    except ValueError:
        raise InvalidInput(_("{label}选择有误，请重新选择。").format(label=label), name) from None


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
        return [_int(v) for v in values if str(v).strip()]
    except ValueError:
        raise InvalidInput(_("提交的内容格式不对，请刷新页面后重新提交。"), name) from None


def query_month(request: Any, default: str = "") -> str:
    """?month=2026-11 on the dashboard and 评实效 pages: the month as given, `default` when absent,
    400 in Chinese when it is not a real month."""
    month = request.query_params.get("month", "").strip() or default
    if not month:
        return ""
    try:
        if len(month) != 7 or month[4] != "-":
            raise ValueError
        month_bounds(month)
    except ValueError:
        raise DomainError(_("月份格式应为 2026-11。")) from None
    return month


def suggestion_input(form: Any) -> SuggestionInput:
    return SuggestionInput(
        content=text(form, "content"),
        category_id=optional_int(form, "category", _("类别")),
        community_id=optional_int(form, "community", _("社区")),
        name=text(form, "name"),
        phone=text(form, "phone"),
        received_on=optional_date(form, "received_on", _("收集日期")),
        spot=text(form, "spot"),
    )


def item_input(form: Any) -> dict[str, Any]:
    """title, description, cost_fen, kind and lead_unit from the posted form; a clear message for
    a missing type or a cost that is not an amount (the other fields are checked by the service)."""
    try:
        kind = ItemKind(str(form.get("kind", "")))
    except ValueError:
        raise DomainError(_("请选择项目类型（普惠性、特色或试点）。")) from None
    return {"title": str(form.get("title", "")), "description": str(form.get("description", "")),
            "cost_fen": parse_yuan(str(form.get("cost", "")), _("预计费用")), "kind": kind,
            "lead_unit": str(form.get("lead_unit", ""))}


def typed(form: Any, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """What was typed into a form, to fill it in again: one value per field, or the list of values
    of a field posted several times. The fields named in `lists` (checkboxes) are always lists,
    also with one box or none ticked: a template's `id|string in form.units` must not match
    "1" inside a lone "12"."""
    out: dict[str, Any] = {key: [] for key in lists}
    for key in form:
        values = form.getall(key) if hasattr(form, "getall") else [form.get(key)]
        values = [v for v in values if isinstance(v, str)]
        out[key] = values if len(values) > 1 or key in lists else (values[0] if values else "")
    return out


def refused(template: str, exc: DomainError, context: dict[str, Any], form: Any = None,
            **extra: Any) -> Template:
    """A refused form: the page again with the message, the refusal's 4xx status, and what was
    typed (`form`) so nothing is lost. Every page's refusal goes through here. A page not found
    or forbidden is no form error: it goes on to the error page."""
    if isinstance(exc, Forbidden | NotFound):
        raise exc
    return Template(template, status_code=exc.status_code, context={
        **context, "error": exc.message, **({"form": typed(form)} if form is not None else {}), **extra})
