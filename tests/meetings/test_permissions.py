"""The permission grid: role x meeting state, on plain values (no database)."""
from types import SimpleNamespace

import pytest

from yishi.accounts.enums import Role
from yishi.meetings import permissions as perm
from yishi.meetings.enums import MeetingStatus as S

pytestmark = pytest.mark.pure  # no database: the per-test clean-up is skipped

TOWN, OTHER_TOWN, DISTRICT, OTHER_DISTRICT = 1, 2, 10, 20


def user(role: Role, town=TOWN, district=DISTRICT, uid=7):
    return SimpleNamespace(id=uid, role=role.value,
                           town=None if role in (Role.admin, Role.district_reviewer, Role.observer) else town,
                           district=district if role in (Role.district_reviewer, Role.observer) else None)


ROLES = list(Role)
STATES = list(S)

# (predicate over (user, state), {role: set of states where allowed})
GRID = {
    "edit_agenda": (lambda u, s: perm.can_edit_agenda(u, TOWN, s),
                    {Role.admin: {S.planned}, Role.convener: {S.planned}}),
    "run": (lambda u, s: perm.can_run_meeting(u, TOWN, s),
            {Role.admin: {S.planned, S.open}, Role.convener: {S.planned, S.open}}),
    "record_votes": (lambda u, s: perm.can_record_votes(u, TOWN, s),
                     {Role.admin: {S.open}, Role.convener: {S.open}}),
    "close_minutes": (lambda u, s: perm.can_close_minutes(u, TOWN, s),
                      {Role.admin: {S.open}, Role.convener: {S.open}}),
    # A unit clerk (责任单位经办人) works on delivery only, an observer on evaluation only: no
    # council, no meetings.
    "view": (lambda u, s: perm.can_view_meeting(u, TOWN, DISTRICT),
             {r: set(STATES) for r in ROLES if r not in (Role.unit_clerk, Role.observer)}),
}


@pytest.mark.parametrize("name", GRID)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", STATES)
def test_permission_grid(name, role, state):
    predicate, allowed = GRID[name]
    assert predicate(user(role), state) is (state in allowed.get(role, set()))


@pytest.mark.parametrize("role", ROLES)
def test_other_towns_people_cannot_run_or_view(role):
    u = user(role, town=OTHER_TOWN, district=OTHER_DISTRICT)
    expected = role is Role.admin
    assert perm.can_run_meeting(u, TOWN, S.open) is expected
    assert perm.can_view_meeting(u, TOWN, DISTRICT) is expected


@pytest.mark.parametrize("state,present,allowed", [
    (S.planned, True, False), (S.open, True, True), (S.open, False, False), (S.closed, True, False)])
def test_member_votes_on_own_phone_only_present_and_open(state, present, allowed):
    u = user(Role.member)
    assert perm.can_vote_self(u, {"id": 3, "user": 7}, present, state) is allowed


def test_member_cannot_vote_as_another_member():
    assert perm.can_vote_self(user(Role.member), {"id": 3, "user": 8}, True, S.open) is False


@pytest.mark.parametrize("state,allowed", [(S.planned, True), (S.open, True), (S.closed, False)])
def test_member_signs_in_until_minutes_close(state, allowed):
    assert perm.can_sign_in(user(Role.member), {"id": 3, "user": 7}, state) is allowed


@pytest.mark.parametrize("role,submit,review", [
    (Role.admin, True, False), (Role.district_reviewer, False, True), (Role.street_staff, True, False),
    (Role.convener, True, False), (Role.member, False, False), (Role.collector, False, False)])
def test_desk_grid(role, submit, review):
    u = user(role)
    assert perm.can_submit(u, TOWN) is submit
    assert perm.can_review(u, DISTRICT) is review


def test_reviewer_of_other_district_cannot_review():
    assert perm.can_review(user(Role.district_reviewer, district=OTHER_DISTRICT), DISTRICT) is False
