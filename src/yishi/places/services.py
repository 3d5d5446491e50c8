"""Reads of the place tree (区 → 镇/街道 → 村/社区) that several domains and pages need: one
query each, written once here instead of by hand wherever a page lists a town's communities."""
from __future__ import annotations

from collections.abc import Iterable

from yishi.core.errors import NotFound
from yishi.core.i18n import _
from yishi.places.tables import Community, District, Town


async def districts() -> list[dict]:
    """Every district: id, name, by id."""
    return await District.select(District.id, District.name).order_by(District.id).run()


async def district(district_id: int) -> dict | None:
    return await District.select(District.id, District.name).where(District.id == district_id).first().run()


async def towns(town_ids: Iterable[int] | None = None) -> list[dict]:
    """Towns (id, name) by id: every one, or only these (none for an empty list)."""
    query = Town.select(Town.id, Town.name).order_by(Town.id)
    if town_ids is not None:
        query = query.where(Town.id.is_in(list(town_ids) or [-1]))
    return await query.run()


async def town(town_id: int) -> dict | None:
    """One town: id, name, district (id) and district_name; None if there is none."""
    return await Town.select(Town.id, Town.name, Town.district, Town.district.name.as_alias("district_name")).where(
        Town.id == town_id).first().run()


async def known_district(district_id: int) -> dict:
    """district(), or a 404 saying there is no such district."""
    row = await district(district_id)
    if row is None:
        raise NotFound(_("找不到这个区。"))
    return row


async def known_town(town_id: int) -> dict:
    """town(), or a 404 saying there is no such street."""
    row = await town(town_id)
    if row is None:
        raise NotFound(_("找不到这个镇（街道）。"))
    return row


async def town_exists(town_id: int) -> bool:
    return await Town.exists().where(Town.id == town_id)


async def town_ids_of_district(district_id: int) -> list[int]:
    return [r["id"] for r in await Town.select(Town.id).where(Town.district == district_id).order_by(Town.id)]


async def communities_of(town_id: int) -> list[dict]:
    """A town's communities (id, name), by id."""
    return await Community.select(Community.id, Community.name).where(Community.town == town_id).order_by(
        Community.id).run()


async def communities_in(town_ids: Iterable[int] | None = None) -> list[dict]:
    """Communities (id, name, town, town_name) of these towns, or of every town; by town, then id."""
    query = Community.select(Community.id, Community.name, Community.town.name.as_alias("town_name"),
                             Community.town).order_by(Community.town).order_by(Community.id)
    if town_ids is not None:
        query = query.where(Community.town.is_in(list(town_ids) or [-1]))
    return await query.run()


async def town_of_community(community_id: int) -> int | None:
    """The town a community belongs to; None if there is no such community."""
    row = await Community.select(Community.town).where(Community.id == community_id).first().run()
    return None if row is None else row["town"]


async def community_exists(community_id: int) -> bool:
    return await Community.exists().where(Community.id == community_id)
