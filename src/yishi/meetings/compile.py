"""民主恳谈交清单: the council compiles a round's wish list in a meeting, then adopts it (定稿).

Street staff may prepare a draft on the round page beforehand; in the meeting the council picks
residents' suggestions (one or several merged into one item), edits wording and costs, adds and
removes items. Discussion needs no quorum; adopting the list is a decision and does. Once
adopted the list is frozen, and only an adopted list can be published for residents' ticking."""
from __future__ import annotations

import json
from typing import Any

from yishi.core import audit
from yishi.core.errors import Conflict, DomainError
from yishi.core.i18n import _
from yishi.meetings import meeting
from yishi.meetings.enums import MeetingStep
from yishi.meetings.tables import ListAdoption
from yishi.wishlists import services as wishlists
from yishi.wishlists import sources
from yishi.wishlists.enums import ItemKind


async def _compiling(m: meeting.MeetingView) -> wishlists.RoundView:
    """The meeting may work on its round's list: a 恳谈交清单 meeting under way, on a draft list."""
    if m.step is not MeetingStep.consult:
        raise Conflict(_("只有“民主恳谈交清单”会议才能编制清单。"))
    if m.round_id is None:
        raise Conflict(_("这次会议没有关联批次，请在安排会议时选择要编制清单的批次。"))
    meeting.ensure_open(m)
    round_ = await wishlists.get_round(m.round_id)
    wishlists.ensure_list_editable(round_)
    return round_


async def _log(m: meeting.MeetingView, action: str, actor: Any, **data: Any) -> None:
    await audit.record(f"meeting.list.{action}", actor=actor, object_type="meeting", object_id=m.id,
                       round_id=m.round_id, **data)


async def add_item(m: meeting.MeetingView, *, title: str, description: str, cost_fen: int, kind: ItemKind,
                   lead_unit: str, suggestion_ids: list[int], actor: Any) -> int:
    """A new item, answering the picked suggestions (linked both ways) or none."""
    round_ = await _compiling(m)
    if suggestion_ids:
        item_id = await sources.to_wish_item(suggestion_ids, round_id=round_.id, title=title,
                                                 description=description, cost_fen=cost_fen, kind=kind,
                                                 lead_unit=lead_unit, actor=actor)
    else:
        item_id = await wishlists.add_item(round_, title=title, description=description, cost_fen=cost_fen,
                                           kind=kind, lead_unit=lead_unit, actor=actor)
    await _log(m, "item_added", actor, item_id=item_id, suggestions=sorted(set(suggestion_ids)))
    return item_id


async def link_suggestions(m: meeting.MeetingView, item_id: int, suggestion_ids: list[int], *, actor: Any) -> None:
    """The picked suggestions are answered by an item already on the list."""
    round_ = await _compiling(m)
    if item_id not in {i["id"] for i in await wishlists.items_of(round_.id)}:
        raise DomainError(_("清单中没有这一项，请刷新页面后重试。"), 404)
    await sources.link_to_item(suggestion_ids, item_id=item_id, actor=actor)
    await _log(m, "suggestions_linked", actor, item_id=item_id, suggestions=sorted(set(suggestion_ids)))


async def edit_item(m: meeting.MeetingView, item_id: int, *, title: str, description: str, cost_fen: int,
                    kind: ItemKind, lead_unit: str, actor: Any) -> None:
    round_ = await _compiling(m)
    await wishlists.update_item(round_, item_id, title=title, description=description, cost_fen=cost_fen,
                                kind=kind, lead_unit=lead_unit, actor=actor)
    await _log(m, "item_edited", actor, item_id=item_id)


async def remove_item(m: meeting.MeetingView, item_id: int, *, actor: Any) -> None:
    round_ = await _compiling(m)
    reopened = await sources.remove_wish_item(round_.id, item_id, actor=actor)
    await _log(m, "item_removed", actor, item_id=item_id, suggestions_reopened=reopened)


async def adopt(m: meeting.MeetingView, *, actor: Any) -> None:
    """定稿: the quorate council adopts the list as it stands; it is frozen from now on."""
    round_ = await _compiling(m)
    s = await meeting.state(m)
    if not s.quorum.met:
        raise Conflict(_("未达到法定人数，不能确定清单（{why}）。").format(
            why=meeting.quorum_reason(s.quorum, m.rules)))
    async with ListAdoption._meta.db.transaction():
        # Frozen first, read after: the snapshot is exactly the list that is frozen.
        adopted_at = await wishlists.adopt_list(round_)
        items = await wishlists.items_of(round_.id)
        snapshot = {"items": [{"id": i["id"], "title": i["title"], "cost_fen": i["cost_fen"], "kind": i["kind"],
                               "lead_unit": i["lead_unit"]} for i in items],
                    "total_fen": sum(i["cost_fen"] for i in items), "present": s.quorum.present,
                    "members": s.quorum.members}
        await ListAdoption.insert(ListAdoption(round=round_.id, meeting=m.id, snapshot=snapshot,
                                               adopted_by=getattr(actor, "id", None), adopted_at=adopted_at)).run()
    await _log(m, "adopted", actor, items=len(items), total_fen=snapshot["total_fen"])


async def adoption_of(round_id: int) -> dict | None:
    """The adoption of a round's list, with its meeting's title and date, or None."""
    row = await ListAdoption.select(
        *ListAdoption.all_columns(), ListAdoption.meeting.title.as_alias("meeting_title"),
        ListAdoption.meeting.held_at.as_alias("meeting_held_at"),
    ).where(ListAdoption.round == round_id).first().run()
    if row is not None and isinstance(row["snapshot"], str):
        row["snapshot"] = json.loads(row["snapshot"])
    return row
