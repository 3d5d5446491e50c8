"""Who may do what with a project: named predicates over a user and a project's plain data.

A project is seen through `Where` (its street, district and the two units that carry it out),
so the grid of role x own/other street x own/other unit is tested without a database
(tests/projects/test_permissions.py). A unit clerk follows their unit's projects only (lead
unit or implementer); street staff and the convener their street's; the district reviewer the
whole district; the administrator everything."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yishi.accounts.enums import Role
from yishi.accounts.permissions import id_of, is_admin, is_district_reviewer_of, is_town_staff, require, role_of

__all__ = ["Where", "require"]


@dataclass(frozen=True)
class Where:
    town_id: int
    district_id: int
    lead_unit_id: int | None = None
    implementer_id: int | None = None


def is_unit_clerk_of(user: Any, where: Where) -> bool:
    unit = id_of(getattr(user, "unit", None))
    return role_of(user) is Role.unit_clerk and unit is not None and unit in (where.lead_unit_id, where.implementer_id)


def can_view_project(user: Any, where: Where) -> bool:
    """The project's page, its reports, photos and the responsible person's phone."""
    return (is_admin(user) or is_district_reviewer_of(user, where.district_id)
            or is_town_staff(user, where.town_id) or is_unit_clerk_of(user, where))


def can_report(user: Any, where: Where) -> bool:
    """Draft the plan, file weekly and completion reports, answer 调度意见: the unit's clerk, or
    the street's staff for a unit without an account in yishi (a residents' committee)."""
    return is_unit_clerk_of(user, where) or is_town_staff(user, where.town_id)


def can_supervise(user: Any, where: Where) -> bool:
    """Approve the plan, pause or stop, send back or write off, reopen: the street."""
    return is_admin(user) or is_town_staff(user, where.town_id)


def can_direct(user: Any, where: Where) -> bool:
    """Record a 调度意见 and answer a 需协调事项: the street's monthly review, or the district's."""
    return can_supervise(user, where) or is_district_reviewer_of(user, where.district_id)


def can_view_street(user: Any, town_id: int, district_id: int) -> bool:
    """A street's project list and monthly review."""
    return is_admin(user) or is_town_staff(user, town_id) or is_district_reviewer_of(user, district_id)


def can_view_district(user: Any, district_id: int) -> bool:
    return is_admin(user) or is_district_reviewer_of(user, district_id)


def can_manage_directory(user: Any) -> bool:
    """The unit directory, the local calendar and the colour thresholds."""
    return is_admin(user)


def is_public(state: Any) -> bool:
    """Whether a project's page (and so its photos) is public. From the district's approval on, a
    project is listed on its street's 家门口的微民生 page in every state (projects.public), a
    paused or stopped one with its reason: residents see what became of their wish list."""
    return state is not None


def can_view_photo(user: Any, where: Where, state: Any) -> bool:
    """A report's photo: anyone once the project's page is public, staff by the project otherwise."""
    return is_public(state) or can_view_project(user, where)
