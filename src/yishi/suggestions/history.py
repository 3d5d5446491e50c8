"""A suggestion's history, read back from the audit trail as lines in Chinese."""
from __future__ import annotations

import contextlib
import json
from typing import Any

from yishi.core import audit
from yishi.core.i18n import N_, _, pgettext
from yishi.core.templating import fill, joined, typed
from yishi.suggestions.enums import Channel, Grade, Tier, Track

# --- history -----------------------------------------------------------------------------------

FIELD_LABELS = {"grade": N_("分级"), "track": N_("办理方式"), "tier": N_("办理层级"), "lead_unit": N_("牵头单位"),
                "due_on": N_("办理期限")}
ENUM_OF_FIELD = {"grade": Grade, "track": Track, "tier": Tier}
ACTION_LABELS = {
    "suggestion.received": N_("受理"), "suggestion.graded": N_("分级"), "suggestion.regraded": N_("调整分级"),
    "suggestion.started": N_("开始办理"), "suggestion.answered": N_("答复居民"), "suggestion.closed": N_("办结"),
    "suggestion.rejected": N_("不予采纳"), "suggestion.merged": N_("合并重复建议"),
    "suggestion.merged_into": N_("被合并"), "suggestion.listed": N_("纳入清单"),
    "suggestion.phone.unmasked": N_("查看完整电话"), "suggestion.personal_data.purged": N_("清除个人信息"),
}


def _field_value(name: str, value: Any) -> str:
    if value in ("", None):
        return _("（空）")
    if name == "lead_unit":  # a unit's name, as typed
        return typed(value)
    enum_cls = ENUM_OF_FIELD.get(name)
    if enum_cls is not None:
        try:
            return enum_cls(value).label
        except ValueError:
            return str(value)
    return str(value)


def describe(entry: dict) -> str:
    """One line of a suggestion's history, in Chinese, with what people typed in it (reasons,
    replies, unit and item names) marked as such (core.templating.Marked)."""
    data = entry.get("data") or {}
    if isinstance(data, str):
        data = json.loads(data or "{}")
    label = _(ACTION_LABELS[entry["action"]]) if entry["action"] in ACTION_LABELS else entry["action"]
    if entry["action"] == "suggestion.closed":
        # "办结" is both the button (Close) and this line of the history (Closed); "分级" a column
        # (Grading) and a line (Graded).
        label = pgettext("history", "办结")
    elif entry["action"] == "suggestion.graded":
        label = pgettext("history", "分级")
    details: list[str] = []
    if entry["action"] == "suggestion.received":
        with contextlib.suppress(ValueError):  # a channel since retired: no label
            details.append(Channel(data.get("channel", "")).label)
        if data.get("imported"):
            details.append(_("Excel 导入"))
    for name, (old, new) in (data.get("changes") or {}).items():
        if entry["action"] == "suggestion.graded":  # first grading: what was set is enough
            if new not in ("", None):
                details.append(joined("", [_(FIELD_LABELS.get(name, name)), _("："), _field_value(name, new)]))
        else:
            change = fill("{} → {}", _field_value(name, old), _field_value(name, new))
            details.append(joined("", [_(FIELD_LABELS.get(name, name)), _("："), change]))
    if "reason" in data:
        details.append(fill(_("理由：{text}"), text=typed(data["reason"])))
    if "reply" in data:
        details.append(fill(_("答复：{text}"), text=typed(data["reply"])))
    if "absorbed" in data:
        details.append(_("合并 {n} 条，支持人次 +{m}").format(
            n=len(data["absorbed"]), m=data.get("supporters_added", 0)))
    if "item_title" in data:
        details.append(fill(_("清单项目：{title}"), title=typed(data["item_title"])))
    return joined("", [label, _("（"), joined(_("；"), details), _("）")]) if details else label


async def history(suggestion_id: int) -> list[dict]:
    entries = await audit.entries_for("suggestion", suggestion_id)
    return [{"at": e["created_at"], "who": e["actor_name"] or _("居民"), "text": describe(e)}
            for e in entries]
