"""The suggestions a wish-list item answers (建议纳入清单): the link made when a council turns
residents' suggestions into an item, or answers them with an item already on a list, and undone
when the item leaves a draft list. It lives here, above suggestions, because data flows
suggestions → wish list: the list knows its sources, and a suggestion knows nothing of lists
(suggestions.services keeps the suggestion's side: which may be linked, 已纳入清单, reopening)."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from piccolo.query.functions.aggregate import Count

from yishi.core.errors import NotFound
from yishi.core.i18n import _
from yishi.suggestions import services as suggestions
from yishi.wishlists import services as wishlists
from yishi.wishlists.tables import WishItem, WishLink


def _db():
    return WishLink._meta.db


async def to_wish_item(suggestion_ids: list[int], *, round_id: int, title: str, description: str,
                       cost_fen: int, kind: Any, reply: str = "", actor: Any, lead_unit: str = "") -> int:
    """Turn one or several suggestions into a new item of a draft wish list, linked both ways."""
    round_ = await wishlists.get_round(round_id)
    rows = await suggestions.linkable(suggestion_ids, round_.town_id)
    wishlists.ensure_list_editable(round_)
    async with _db().transaction():
        item_id = await wishlists.add_item(round_, title=title, description=description, cost_fen=cost_fen,
                                           kind=kind, actor=actor, lead_unit=lead_unit)
        await _link(rows, item_id, round_.title, (title or "").strip(), reply, actor)
    return item_id


async def link_to_item(suggestion_ids: list[int], *, item_id: int, reply: str = "", actor: Any) -> None:
    """Answer suggestions with an item already on a wish list of the same street."""
    item = await WishItem.select(WishItem.id, WishItem.title, WishItem.round).where(
        WishItem.id == item_id).first().run()
    if item is None:
        raise NotFound(_("找不到这个清单项目。"))
    round_ = await wishlists.get_round(item["round"])
    rows = await suggestions.linkable(suggestion_ids, round_.town_id)
    async with _db().transaction():
        await _link(rows, item_id, round_.title, item["title"], reply, actor)


async def _link(rows: list[dict], item_id: int, round_title: str, item_title: str, reply: str, actor: Any) -> None:
    reply = suggestions.listed_reply(reply, round_title=round_title, item_title=item_title)
    now = datetime.now(UTC)
    for row in rows:
        if await WishLink.exists().where((WishLink.suggestion == row["id"]) & (WishLink.wish_item == item_id)):
            continue
        await WishLink.insert(WishLink(suggestion=row["id"], wish_item=item_id,
                                       created_by=getattr(actor, "id", None), created_at=now)).run()
        await suggestions.mark_listed(row, reply=reply, now=now, item_id=item_id, item_title=item_title,
                                      actor=actor)


async def remove_wish_item(round_id: int, item_id: int, *, actor: Any) -> list[int]:
    """Take an item off a draft wish list. The suggestions it answered (and no other item does)
    go back to the open cases, their 已纳入清单 answer withdrawn: it is no longer true. Returns
    the ids of the suggestions reopened."""
    round_ = await wishlists.get_round(round_id)
    wishlists.ensure_list_editable(round_)
    linked = [r["suggestion"] for r in await WishLink.select(WishLink.suggestion).where(WishLink.wish_item == item_id)]
    reopened = []
    async with _db().transaction():
        await wishlists.remove_item(round_, item_id, actor=actor)  # its links go with it
        for sid in sorted(set(linked)):
            if await WishLink.exists().where(WishLink.suggestion == sid):
                continue
            if await suggestions.reopen_unlisted(sid, item_id=item_id, actor=actor):
                reopened.append(sid)
    return reopened


async def source_counts(round_id: int) -> dict[int, int]:
    """For a round's wish list: how many residents' suggestions each item answers."""
    rows = await WishLink.select(WishLink.wish_item, Count(alias="n")).where(
        WishLink.wish_item.round == round_id
    ).group_by(WishLink.wish_item).run()
    return {r["wish_item"]: r["n"] for r in rows}


async def wish_items_of(suggestion_id: int) -> list[dict]:
    """The wish-list items that answer a suggestion, with their round."""
    return await WishLink.select(
        WishLink.wish_item.as_alias("item_id"),
        WishLink.wish_item.title.as_alias("title"),
        WishLink.wish_item.round.as_alias("round_id"),
        WishLink.wish_item._.round.title.as_alias("round_title"),
        WishLink.created_at,
    ).where(WishLink.suggestion == suggestion_id).order_by(WishLink.id).run()


async def sources_of_item(item_id: int) -> list[dict]:
    """The suggestions a wish-list item answers: the other way along the link."""
    return await WishLink.select(
        WishLink.suggestion.as_alias("id"),
        WishLink.suggestion.tracking_code.as_alias("tracking_code"),
        WishLink.suggestion.content.as_alias("content"),
        WishLink.suggestion.supporters.as_alias("supporters"),
        WishLink.suggestion._.community.name.as_alias("community_name"),
        WishLink.suggestion.received_on.as_alias("received_on"),
    ).where(WishLink.wish_item == item_id).order_by(WishLink.id).run()


async def track(raw_code: str) -> suggestions.Tracking:
    """What a tracking code shows residents (suggestions.track), with the wish-list items that
    answer it. An unknown code raises NotFound."""
    view = await suggestions.track(raw_code)
    return replace(view, wish_items=tuple(await wish_items_of(view.answer_id)))
