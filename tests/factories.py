"""Factories: build the rows a test needs in one call, with sensible defaults."""
from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from html import unescape

from yishi.accounts import services as accounts
from yishi.accounts.enums import Role
from yishi.ballots import casting as ballots
from yishi.ballots import lifecycle
from yishi.meetings import records as meetings
from yishi.meetings.enums import MemberCategory
from yishi.meetings.tables import Council
from yishi.places.tables import Community, District, Town
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import ItemKind

PASSWORD = "correct-horse-9"
_seq = itertools.count(1)


async def make_places(n_communities: int = 2) -> dict:
    n = next(_seq)
    district = District(name=f"测试区{n}")
    await district.save()
    town = Town(district=district.id, name=f"测试街道{n}")
    await town.save()
    communities = []
    for i in range(n_communities):
        c = Community(town=town.id, name=f"第{i + 1}社区")
        await c.save()
        communities.append(c.id)
    return {"district": district.id, "town": town.id, "communities": communities}


async def make_user(role: Role, places: dict | None = None, username: str | None = None):
    places = places or {}
    where = {}
    if role in (Role.district_reviewer, Role.observer):
        where["district_id"] = places.get("district")
    elif role is not Role.admin:
        where["town_id"] = places.get("town")
    if role is Role.collector and places.get("communities"):
        where["community_id"] = places["communities"][0]
    return await accounts.create_user(
        username=username or f"{role.value}{next(_seq)}", password=PASSWORD,
        display_name=f"{role.label}{next(_seq)}", role=role, **where,
    )


async def make_round(places: dict, *, items: int = 3, max_ticks: int = 2, budget_yuan: int = 100000,
                     actor=None, title: str = "首批次") -> wishlists.RoundView:
    round_id = await wishlists.create_round(town_id=places["town"], title=title,
                                           budget_fen=budget_yuan * 100, max_ticks=max_ticks, actor=actor)
    r = await wishlists.get_round(round_id)
    kinds = [ItemKind.universal, ItemKind.special, ItemKind.pilot]
    for i in range(items):
        await wishlists.add_item(r, title=f"项目{i + 1}", description=f"说明{i + 1}",
                                 cost_fen=(i + 1) * 10000_00, kind=kinds[i % 3], actor=actor)
    return await wishlists.get_round(round_id)


async def adopt_list(r: wishlists.RoundView) -> wishlists.RoundView:
    """Arrange a list as adopted by the council. A shortcut for tests of what comes after: the
    adoption itself, in a quorate 民主恳谈交清单 meeting, is tested in tests/meetings/test_compile.py
    and walked in the browser; here it would need a council the test may want to build its own way."""
    if r.adopted_at is None:
        await wishlists.adopt_list(await wishlists.get_round(r.id))
    return await wishlists.get_round(r.id)


async def open_round(r: wishlists.RoundView, codes_per_community: int = 5, actor=None) -> list[str]:
    r = await adopt_list(r)
    codes = []
    for cid in (await _communities_of(r.town_id)):
        codes += await ballots.issue_codes(r, cid, codes_per_community, actor=actor)
    await lifecycle.open_voting(r, actor=actor)
    return codes


async def _communities_of(town_id: int) -> list[int]:
    return [c["id"] for c in await Community.select(Community.id).where(
        Community.town == town_id).order_by(Community.id)]


async def item_ids(round_id: int) -> list[int]:
    return [i["id"] for i in await wishlists.items_of(round_id)]


async def make_council(places: dict, categories=None) -> int:
    council = Council(town=places["town"], name="测试议事组")
    await council.save()
    for i, cat in enumerate(categories or list(MemberCategory)):
        await meetings.add_member(council.id, name=f"成员{i + 1}", category=cat)
    return council.id


def text(html: str) -> str:
    """What a reader sees of a page or fragment: the text without tags, entities decoded, each run of
    space one space. User data sits in <span translate="no"> (issue 14): a check of what a user reads
    should not depend on that markup."""
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def unmarked(html: str) -> str:
    """The HTML without the translate="no" marks of user data (issue 14), for the checks of a page's
    structure (a table's rows, a selected option) that read it with a regular expression."""
    return re.sub(r'<span translate="no">(.*?)</span>', r"\1", html, flags=re.S).replace(' translate="no"', "")


def csrf_from(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF field"
    return match.group(1)


async def login(client, username: str, password: str = PASSWORD):
    page = await client.get("/login")
    token = csrf_from(page.text)
    response = await client.post("/login", data={"username": username, "password": password,
                                                 "_csrf_token": token, "next": "/rounds"})
    assert response.status_code in (302, 303), response.text
    return token


# --- suggestions (寻民意) ---------------------------------------------------------------------

async def make_suggestion(places: dict, *, content: str = "小区门口的路灯坏了三盏，晚上老人出门不安全。",
                          category: str = "公共设施", community_index: int = 0, phone: str = "",
                          name: str = "", channel=None, actor=None, received_on=None, spot: str = ""):
    """A suggestion as a resident or collector would submit it; returns services.Receipt."""
    from yishi.suggestions import catalog as suggestions_catalog
    from yishi.suggestions import services as suggestions
    from yishi.suggestions.enums import Channel
    from yishi.suggestions.inputs import SuggestionInput

    cats = {c["name"]: c["id"] for c in await suggestions_catalog.categories()}
    data = SuggestionInput(content=content, category_id=cats[category],
                           community_id=places["communities"][community_index], name=name, phone=phone,
                           received_on=received_on, spot=spot)
    return await suggestions.submit(data, channel=channel or Channel.qr, actor=actor)


async def make_point(places: dict, *, community_index: int = 0, name: str = "党群服务中心观测点", actor=None):
    from yishi.suggestions import catalog as suggestions_catalog

    point_id = await suggestions_catalog.create_point(community_id=places["communities"][community_index], name=name,
                                                      address="社区党群服务中心一楼", actor=actor)
    return await suggestions_catalog.get_point(point_id)


# --- units and projects (办实事) ---------------------------------------------------------------

async def make_unit(places: dict, name: str | None = None, kind=None) -> int:
    from yishi.accounts import units
    from yishi.accounts.enums import UnitKind

    return await units.create_unit(places["district"], name=name or f"测试单位{next(_seq)}",
                                   kind=kind or UnitKind.district_department, contact_name="张联络",
                                   contact_phone="028-83912345")


async def make_clerk(places: dict, unit_id: int, username: str | None = None):
    return await accounts.create_user(username=username or f"clerk{next(_seq)}", password=PASSWORD,
                                      display_name=f"经办人{next(_seq)}", role=Role.unit_clerk, unit_id=unit_id)


async def make_projects(places: dict | None = None, *, items: int = 2, lead_units: list[str] | None = None,
                        actor=None) -> tuple[dict, list[int]]:
    """Projects as the district's approval makes them (projects.start_from_approval), from a
    submission stored as approved: the council and desk steps are tested in tests/meetings."""
    from yishi.meetings.enums import SubmissionStatus
    from yishi.meetings.tables import Submission
    from yishi.projects import services as projects
    from yishi.wishlists.tables import WishItem

    places = places or await make_places()
    r = await make_round(places, items=items, title=f"批次{next(_seq)}")
    rows = await wishlists.items_of(r.id)
    for row, lead in zip(rows, lead_units or [], strict=False):  # the first items get a lead unit, if any
        await WishItem.update({WishItem.lead_unit: lead}).where(WishItem.id == row["id"])
    snapshot = {"resolution": "同意。", "items": [
        {"id": i["id"], "title": i["title"], "cost_fen": i["cost_fen"], "kind": i["kind"], "approvals": 0,
         "lead_unit": (lead_units or [""] * items)[n] if n < len(lead_units or []) else ""}
        for n, i in enumerate(rows)], "total_fen": sum(i["cost_fen"] for i in rows), "budget_fen": r.budget_fen}
    now = datetime.now(UTC)
    sub = await Submission.insert(Submission(round=r.id, version=1, status=SubmissionStatus.approved,
                                             snapshot=snapshot, submitted_at=now, reviewed_at=now,
                                             slot=f"{r.id}:1")).returning(Submission.id).run()
    return places, await projects.start_from_approval(sub[0]["id"], actor)


async def start_project(project_id: int, actor, *, start=None, end=None, milestones=None, funding=()):
    """Plan drafted, submitted and approved: the project is 实施中."""
    from datetime import date

    from yishi.projects import plan

    start = start or date(2026, 11, 2)
    end = end or date(2026, 12, 31)
    milestones = milestones or [plan.MilestoneInput("招标完成", "街道城管办", date(2026, 11, 20)),
                                plan.MilestoneInput("竣工验收", "街道城管办", end)]
    await plan.save_draft(project_id, planned_start=start, planned_end=end, milestones=list(milestones),
                          funding=list(funding), actor=actor)
    await plan.submit_plan(project_id, actor=actor)
    await plan.approve_plan(project_id, actor=actor)
