"""One form toolkit for every page: read typed values, turn junk into a clear Chinese message."""
from __future__ import annotations

from typing import Any

from yishi.core.errors import DomainError
from yishi.core.i18n import _


def form_ints(values: Any) -> list[int]:
    """Checkbox values from a form (one value or a list) as ints; junk becomes a clear error."""
    if values is None:
        return []
    if not isinstance(values, list):
        values = [values]
    try:
        return [int(v) for v in values]
    except (TypeError, ValueError):
        raise DomainError(_("提交的内容格式不对，请刷新页面后重新提交。"))


def form_int(value: Any, field: str, default: int | None = None) -> int:
    if value in (None, ""):
        if default is not None:
            return default
        raise DomainError(_("请填写{field}。").format(field=field))
    try:
        return int(str(value).strip())
    except ValueError:
        raise DomainError(_("{field}应为整数。").format(field=field))
