"""Who stands where to a case, and so what they may see and do: named predicates over a user and
a case's plain data (`Where`), tested as a grid without a database (tests/cases/test_permissions.py).

A unit clerk sees only the cases dispatched to her unit (as 主办 or 协办, while it holds them)
and those it owns; the street's staff (工作人员, 召集人) their street's; the district reviewer the
whole district; the administrator everything."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from yishi.accounts.enums import Role
from yishi.accounts.permissions import id_of, is_admin, is_district_reviewer_of, is_town_staff, require, role_of
from yishi.cases.consult_rules import MeetingActor
from yishi.cases.rules import Actor

__all__ = ["Where", "actor_of", "can_view_case", "require"]


@dataclass(frozen=True)
class Where:
    town_id: int
    district_id: int
    lead_unit_id: int | None = None
    assist_unit_ids: tuple[int, ...] = ()
    owner_id: int | None = None


def clerk_unit(user: Any) -> int | None:
    return id_of(getattr(user, "unit", None)) if role_of(user) is Role.unit_clerk else None


def actor_of(user: Any, where: Where) -> Actor:
    """The one standing a user has on a case, the strongest first."""
    if is_admin(user):
        return Actor.admin
    if is_town_staff(user, where.town_id):
        return Actor.street
    if is_district_reviewer_of(user, where.district_id):
        return Actor.district
    unit = clerk_unit(user)
    if unit is not None:
        if unit == where.lead_unit_id or unit == where.owner_id:
            return Actor.lead_unit
        if unit in where.assist_unit_ids:
            return Actor.assist_unit
    return Actor.other


def can_view_case(user: Any, where: Where) -> bool:
    return actor_of(user, where) is not Actor.other


def can_dispatch_in(user: Any, town_id: int, district_id: int) -> bool:
    """Open the dispatch form of a suggestion of this street: its staff, the district (for a
    case sent up to it), an administrator. The state decides the rest (rules.allowed)."""
    return is_admin(user) or is_town_staff(user, town_id) or is_district_reviewer_of(user, district_id)


def has_case_list(user: Any) -> bool:
    """Who has a case list at all: staff of a street, a clerk of a unit, the district, the administrator."""
    role = role_of(user)
    return (role is Role.admin or (role is Role.district_reviewer and id_of(user.district) is not None)
            or (role in (Role.street_staff, Role.convener) and id_of(user.town) is not None)
            or (role is Role.unit_clerk and id_of(user.unit) is not None))


def can_edit_catalog(user: Any, district_id: int) -> bool:
    """The 派单目录 and the time limits are the district's."""
    return is_admin(user) or is_district_reviewer_of(user, district_id)


# --- 会商 ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MeetingWhere:
    """A case meeting as the predicates see it: who holds it and which units it summoned."""

    town_id: int | None
    district_id: int
    district_level: bool
    unit_ids: tuple[int, ...] = ()


def meeting_actor_of(user: Any, where: MeetingWhere) -> MeetingActor:
    """The one standing a user has on a meeting (consult_rules.MeetingActor), the strongest first."""
    if is_admin(user):
        return MeetingActor.convener
    if where.district_level:
        if is_district_reviewer_of(user, where.district_id):
            return MeetingActor.convener
    elif where.town_id is not None and is_town_staff(user, where.town_id):
        return MeetingActor.convener
    unit = clerk_unit(user)
    if unit is not None and unit in where.unit_ids:
        return MeetingActor.unit
    if is_district_reviewer_of(user, where.district_id) or (
            where.town_id is not None and is_town_staff(user, where.town_id)):
        return MeetingActor.viewer
    return MeetingActor.other


def can_view_meeting(user: Any, where: MeetingWhere) -> bool:
    """A clerk sees only the meetings her unit was summoned to; a street its own (and the
    district's on its cases); the district all of its district's."""
    return meeting_actor_of(user, where) is not MeetingActor.other


def can_call_meeting(user: Any) -> bool:
    """Who calls a 会商 at all: a street's staff (for its cases), the district (县级会商办, for
    cases sent up to it), an administrator. Which cases, the service checks."""
    role = role_of(user)
    return (role is Role.admin or (role is Role.district_reviewer and id_of(user.district) is not None)
            or (role in (Role.street_staff, Role.convener) and id_of(user.town) is not None))
