"""The grid: role x own/other street x own/other unit, on plain values (no database)."""
from types import SimpleNamespace

import pytest

from yishi.accounts.enums import Role
from yishi.projects import permissions as perm
from yishi.projects.permissions import Where

TOWN, OTHER_TOWN, DISTRICT, OTHER_DISTRICT, UNIT, OTHER_UNIT = 1, 2, 10, 20, 5, 6
# A project of town 1: unit 5 leads it; another of town 1 carried out by unit 6 only.
OWN = Where(TOWN, DISTRICT, lead_unit_id=UNIT, implementer_id=None)
IMPLEMENTS = Where(TOWN, DISTRICT, lead_unit_id=OTHER_UNIT, implementer_id=UNIT)
OTHER_UNITS = Where(TOWN, DISTRICT, lead_unit_id=OTHER_UNIT, implementer_id=None)
OTHER_STREET = Where(OTHER_TOWN, DISTRICT, lead_unit_id=OTHER_UNIT)
OTHER_DIST = Where(3, OTHER_DISTRICT, lead_unit_id=7)
PLACES = (OWN, IMPLEMENTS, OTHER_UNITS, OTHER_STREET, OTHER_DIST)


def user(role: Role):
    return SimpleNamespace(id=9, role=role.value, town=TOWN if role in (
        Role.street_staff, Role.convener, Role.member, Role.collector) else None,
        district=DISTRICT if role in (Role.district_reviewer, Role.unit_clerk, Role.observer) else None,
        unit=UNIT if role is Role.unit_clerk else None)


T, F = True, False
#                        own lead, implements, other unit, other street, other district
VIEW = {Role.admin:             (T, T, T, T, T),
        Role.district_reviewer: (T, T, T, T, F),
        Role.street_staff:      (T, T, T, F, F),
        Role.convener:          (T, T, T, F, F),
        Role.member:            (F, F, F, F, F),
        Role.collector:         (F, F, F, F, F),
        Role.unit_clerk:        (T, T, F, F, F),
        Role.observer:          (F, F, F, F, F)}
REPORT = {Role.admin:             (F, F, F, F, F),
          Role.district_reviewer: (F, F, F, F, F),
          Role.street_staff:      (T, T, T, F, F),
          Role.convener:          (T, T, T, F, F),
          Role.member:            (F, F, F, F, F),
          Role.collector:         (F, F, F, F, F),
          Role.unit_clerk:        (T, T, F, F, F),
          Role.observer:          (F, F, F, F, F)}
SUPERVISE = {Role.admin:             (T, T, T, T, T),
             Role.district_reviewer: (F, F, F, F, F),
             Role.street_staff:      (T, T, T, F, F),
             Role.convener:          (T, T, T, F, F),
             Role.member:            (F, F, F, F, F),
             Role.collector:         (F, F, F, F, F),
             Role.unit_clerk:        (F, F, F, F, F),
             Role.observer:          (F, F, F, F, F)}
DIRECT = {**SUPERVISE, Role.district_reviewer: (T, T, T, T, F)}
GRIDS = {"view": (perm.can_view_project, VIEW), "report": (perm.can_report, REPORT),
         "supervise": (perm.can_supervise, SUPERVISE), "direct": (perm.can_direct, DIRECT)}


def test_grid_covers_every_role():
    assert all(set(table) == set(Role) for _p, table in GRIDS.values())


@pytest.mark.parametrize("name", GRIDS)
@pytest.mark.parametrize("role", list(Role))
def test_project_permission_grid(name, role):
    predicate, table = GRIDS[name]
    assert tuple(predicate(user(role), where) for where in PLACES) == table[role]


def test_unit_clerk_without_unit_sees_nothing():
    clerk = SimpleNamespace(id=9, role=Role.unit_clerk.value, town=None, district=DISTRICT, unit=None)
    assert perm.can_view_project(clerk, Where(TOWN, DISTRICT)) is False


@pytest.mark.parametrize("role,street,district", [
    (Role.admin, T, T), (Role.district_reviewer, T, T), (Role.street_staff, T, F), (Role.convener, T, F),
    (Role.member, F, F), (Role.unit_clerk, F, F)])
def test_street_and_district_lists(role, street, district):
    assert (perm.can_view_street(user(role), TOWN, DISTRICT), perm.can_view_district(user(role), DISTRICT)) == (
        street, district)
    assert perm.can_view_street(user(role), OTHER_TOWN, OTHER_DISTRICT) is (role is Role.admin)
