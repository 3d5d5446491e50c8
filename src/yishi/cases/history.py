"""A suggestion's history with its case's handovers (派单, 签收, 退单, 答复, 提级, 办结), read back
from the audit trail: the suggestion's own lines as suggestions.history words them."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from yishi.cases.enums import CaseKind, MeetingKind, Urgency
from yishi.core import audit
from yishi.core.i18n import N_, _, pgettext
from yishi.core.tables import AuditEntry
from yishi.core.templating import fill, joined, typed
from yishi.suggestions import history as suggestion_history
from yishi.suggestions.enums import Track

# Each line's words, said when the page is drawn. Those that are also a button's words (派单,
# 签收, 召集会商...) have a context of their own, "history", so English reads what was done
# ("Dispatched") where the button says what to do ("Dispatch"), as 办结 in suggestions.history.
ACTION_LABELS: dict[str, Callable[[], str]] = {
    "case.dispatched": lambda: pgettext("history", "派单"), "case.accepted": lambda: pgettext("history", "签收"),
    "case.returned": lambda: pgettext("history", "退单"), "case.answered": lambda: _("主办单位答复"),
    "case.escalated": lambda: _("提级（县级会商办）"), "case.closed": lambda: _("办结工单"),
    "case.rated": lambda: _("回访评价"), "case.reopened": lambda: _("居民不满意，退回重办"),
    "case.meeting.called": lambda: pgettext("history", "召集会商"), "case.meeting.decided": lambda: _("会商决定"),
    "case.opinion.written": lambda: _("协办单位提出意见"),
    "evaluation.case.opened": lambda: _("记入不满意问题台账"),
}
# 回访 grades and channels as evaluation.enums words them (cases may not import evaluation).
GRADES = {"satisfied": N_("满意"), "basic": N_("基本满意"), "unsatisfied": N_("不满意")}
CHANNELS = {"online": N_("网上评价"), "telephone": N_("电话回访")}


def _label(enum_cls: Any, value: Any) -> str:
    try:
        return enum_cls(value).label
    except ValueError:
        return str(value)


def describe(entry: dict) -> str:
    if entry["action"] not in ACTION_LABELS:
        return suggestion_history.describe(entry)
    data = entry.get("data") or {}
    if isinstance(data, str):
        data = json.loads(data or "{}")
    label = ACTION_LABELS[entry["action"]]()
    if entry["action"] == "case.dispatched" and data.get("again"):
        label = pgettext("history", "重新派单")
    if entry["action"] == "case.escalated" and data.get("auto"):
        label = _("自动提级（县级会商办）")
    details: list[str] = []
    if data.get("lead"):
        details.append(fill(_("主办：{unit}"), unit=typed(data["lead"])))
    if data.get("assists"):
        details.append(fill(_("协办：{units}"), units=_list(data["assists"])))
    if data.get("units"):
        details.append(fill(_("召集：{units}"), units=_list(data["units"])))
    if data.get("kind"):
        meeting = entry["action"].startswith("case.meeting.")
        details.append(_label(MeetingKind if meeting else CaseKind, data["kind"]))
    if data.get("urgency") and data["urgency"] != Urgency.normal.value:
        details.append(_label(Urgency, data["urgency"]))
    elif data.get("track"):
        details.append(_label(Track, data["track"]))
    if data.get("unit"):
        details.append(fill(_("单位：{unit}"), unit=typed(data["unit"])))
    if data.get("grade"):
        details.append(_(GRADES[data["grade"]]) if data["grade"] in GRADES else str(data["grade"]))
    if data.get("channel"):
        details.append(_(CHANNELS[data["channel"]]) if data["channel"] in CHANNELS else str(data["channel"]))
    if data.get("called_on"):
        details.append(_("通话日期：{d}").format(d=data["called_on"]))
    if data.get("due") and entry["action"] == "case.reopened":
        details.append(_("重办期限：{d}").format(d=data["due"]))
    if data.get("due") and entry["action"] == "case.meeting.decided":
        details.append(_("期限：{d}").format(d=data["due"]))
    if data.get("reason"):
        details.append(fill(_("理由：{text}"), text=typed(data["reason"])))
    return joined("", [label, _("（"), joined(_("；"), details), _("）")]) if details else label


async def answers_of(suggestion_ids: list[int]) -> dict[int, list[str]]:
    """Suggestion id -> the texts of its case's answers in order (answer_no 1, 2, ...). The case
    keeps only its latest (Case.reply); the trail has each: every 答复 records the text
    (suggestion.answered) and then case.answered, so a suggestion answered on its own page, not
    by the case, adds no answer."""
    out: dict[int, list[str]] = {}
    if not suggestion_ids:
        return out
    entries = await AuditEntry.select(AuditEntry.object_id, AuditEntry.action, AuditEntry.data).where(
        (AuditEntry.object_type == "suggestion") & AuditEntry.object_id.is_in(suggestion_ids)
        & AuditEntry.action.is_in(["suggestion.answered", "case.answered"])).order_by(AuditEntry.id).run()
    text: dict[int, str] = {}
    for e in entries:
        if e["action"] == "suggestion.answered":
            data = json.loads(e["data"] or "{}") if isinstance(e["data"], str) else (e["data"] or {})
            text[e["object_id"]] = data.get("reply", "")
        else:
            out.setdefault(e["object_id"], []).append(text.get(e["object_id"], ""))
    return out


async def history(suggestion_id: int) -> list[dict]:
    entries = await audit.entries_for("suggestion", suggestion_id)
    return [{"at": e["created_at"], "who": e["actor_name"] or _("居民"), "text": describe(e)}
            for e in entries]


MEETING_LABELS: dict[str, Callable[[], str]] = {
    "case.meeting.called": lambda: pgettext("history", "召集会商（吹哨）"),
    "case.meeting.reported": lambda: _("单位报到"),
    "case.meeting.attendance": lambda: _("登记报到情况"), "case.meeting.held": lambda: _("会商已召开"),
    "case.meeting.decided": lambda: _("会商决定"),
    "case.meeting.item_added": lambda: pgettext("history", "布置会后事项"),
    "case.meeting.item_answered": lambda: _("单位答复会后事项"),
    "case.meeting.response_rated": lambda: pgettext("history", "评价单位响应"),
    "case.meeting.prep_rated": lambda: _("单位评价会前准备"), "case.meeting.closed": lambda: _("会商办结"),
    "case.meeting.cancelled": lambda: pgettext("history", "取消会商"),
}


def _list(names: list[str]) -> str:
    """Units' names, as typed, listed."""
    return joined(_("、"), map(typed, names))


def describe_meeting(entry: dict) -> str:
    data = entry.get("data") or {}
    if isinstance(data, str):
        data = json.loads(data or "{}")
    label = MEETING_LABELS[entry["action"]]() if entry["action"] in MEETING_LABELS else entry["action"]
    details: list[str] = []
    if data.get("units"):
        details.append(fill(_("召集：{units}"), units=_list(data["units"])))
    if data.get("unit"):
        details.append(fill(_("单位：{unit}"), unit=typed(data["unit"])))
    if data.get("attendee"):
        details.append(fill(_("参会：{name}"), name=typed(data["attendee"])))
    if data.get("came"):
        details.append(fill(_("已报到：{units}"), units=_list(data["came"])))
    if data.get("absent"):
        details.append(fill(_("未报到：{units}"), units=_list(data["absent"])))
    if data.get("lead"):
        details.append(fill(_("主责：{unit}"), unit=typed(data["lead"])))
    if data.get("assists"):
        details.append(fill(_("配合：{units}"), units=_list(data["assists"])))
    if data.get("due"):
        details.append(_("期限：{d}").format(d=data["due"]))
    if data.get("dispatched"):
        details.append(_("已按决定派单"))
    if data.get("score"):
        details.append(_("{n} 分").format(n=data["score"]))
    if data.get("reason"):
        details.append(fill(_("理由：{text}"), text=typed(data["reason"])))
    # The brackets and separators through the catalog too: an English page shows no Chinese
    # punctuation around the unit names (user data, marked translate="no" on the page).
    return fill(_("{label}（{details}）"), label=label, details=joined(_("；"), details)) if details else label


async def meeting_history(meeting_id: int) -> list[dict]:
    entries = await audit.entries_for("case_meeting", meeting_id)
    return [{"at": e["created_at"], "who": e["actor_name"] or "", "text": describe_meeting(e)}
            for e in entries]
