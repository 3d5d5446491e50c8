"""The permission grid: role x where the round is, for each named predicate.

The user's home is town 1 of district 1 (a district reviewer's home is district 1). A round sits
in one of three places relative to that home:

    OWN_TOWN        town 1, district 1   (the user's own town, so also the own district)
    OTHER_TOWN      town 2, district 1   (another town of the own district)
    OTHER_DISTRICT  town 3, district 2

For a town-bound role "own district" adds nothing to "other town"; for a district reviewer both
OWN_TOWN and OTHER_TOWN are "own district".
"""
from types import SimpleNamespace

import pytest

from yishi.accounts import permissions as perm
from yishi.accounts.enums import Role
from yishi.core.errors import Forbidden

pytestmark = pytest.mark.pure  # no database: the per-test clean-up is skipped

OWN_TOWN = (1, 1)
OTHER_TOWN = (2, 1)
OTHER_DISTRICT = (3, 2)
PLACES = (OWN_TOWN, OTHER_TOWN, OTHER_DISTRICT)

T, F = True, False


def user_of(role: Role):
    if role is Role.admin:
        return SimpleNamespace(role=role.value, town=None, district=None, community=None)
    if role is Role.district_reviewer:
        return SimpleNamespace(role=role.value, town=None, district=1, community=None)
    if role is Role.observer:  # scores district 1's delivered projects (evaluation); rounds are not theirs
        return SimpleNamespace(role=role.value, town=None, district=1, community=None)
    if role is Role.unit_clerk:  # bound to a unit of district 1, not to a town: rounds are not theirs
        return SimpleNamespace(role=role.value, town=None, district=1, community=None, unit=5)
    return SimpleNamespace(role=role.value, town=1, district=None,
                           community=7 if role is Role.collector else None)


#                                    own town, other town, other district
MANAGE = {
    Role.admin:             (T, T, T),
    Role.district_reviewer: (F, F, F),
    Role.street_staff:      (T, F, F),
    Role.convener:          (T, F, F),
    Role.member:            (F, F, F),
    Role.collector:         (F, F, F),
    Role.unit_clerk:        (F, F, F),
    Role.observer:          (F, F, F),
}
VIEW = {
    Role.admin:             (T, T, T),
    Role.district_reviewer: (T, T, F),
    Role.street_staff:      (T, F, F),
    Role.convener:          (T, F, F),
    Role.member:            (T, F, F),
    Role.collector:         (T, F, F),
    Role.unit_clerk:        (F, F, F),
    Role.observer:          (F, F, F),
}
DECIDE = {
    Role.admin:             (T, T, T),
    Role.district_reviewer: (F, F, F),
    Role.street_staff:      (F, F, F),
    Role.convener:          (T, F, F),
    Role.member:            (F, F, F),
    Role.collector:         (F, F, F),
    Role.unit_clerk:        (F, F, F),
    Role.observer:          (F, F, F),
}
EXPORT = {
    Role.admin:             (T, T, T),
    Role.district_reviewer: (T, T, F),
    Role.street_staff:      (T, F, F),
    Role.convener:          (T, F, F),
    Role.member:            (F, F, F),
    Role.collector:         (F, F, F),
    Role.unit_clerk:        (F, F, F),
    Role.observer:          (F, F, F),
}


def _grid(table):
    return [pytest.param(role, expected, id=role.value) for role, expected in table.items()]


def test_grid_covers_every_role():
    for table in (MANAGE, VIEW, DECIDE, EXPORT):
        assert set(table) == set(Role)


@pytest.mark.parametrize(("role", "expected"), _grid(MANAGE))
def test_can_manage_round_grid(role, expected):
    user = user_of(role)
    assert tuple(perm.can_manage_round(user, town) for town, _district in PLACES) == expected


@pytest.mark.parametrize(("role", "expected"), _grid(VIEW))
def test_can_view_round_grid(role, expected):
    user = user_of(role)
    assert tuple(perm.can_view_round(user, town, district) for town, district in PLACES) == expected


@pytest.mark.parametrize(("role", "expected"), _grid(DECIDE))
def test_can_record_decision_grid(role, expected):
    user = user_of(role)
    assert tuple(perm.can_record_decision(user, town) for town, _district in PLACES) == expected


@pytest.mark.parametrize(("role", "expected"), _grid(EXPORT))
def test_can_export_intent_list_grid(role, expected):
    user = user_of(role)
    assert tuple(perm.can_export_intent_list(user, town, district) for town, district in PLACES) == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [(Role.admin, T), (Role.district_reviewer, F), (Role.street_staff, T), (Role.convener, T),
     (Role.member, F), (Role.collector, F)],
)
def test_can_create_round_by_role(role, expected):
    assert perm.can_create_round(user_of(role)) is expected


def test_predicates_anonymous_user_refused():
    for town, district in PLACES:
        assert perm.can_manage_round(None, town) is False
        assert perm.can_view_round(None, town, district) is False
        assert perm.can_record_decision(None, town) is False
        assert perm.can_export_intent_list(None, town, district) is False
    assert perm.can_create_round(None) is False


def test_predicates_accept_a_row_object_for_the_place():
    # Piccolo may hand back a related row instead of its id.
    convener = SimpleNamespace(role="convener", town=SimpleNamespace(id=1), district=None)
    reviewer = SimpleNamespace(role="district_reviewer", town=None, district=SimpleNamespace(id=1))
    assert perm.can_record_decision(convener, 1) is True
    assert perm.can_record_decision(convener, 2) is False
    assert perm.can_view_round(reviewer, 3, 1) is True
    assert perm.can_view_round(reviewer, 3, 2) is False


def test_require_false_raises_forbidden_in_chinese():
    with pytest.raises(Forbidden) as caught:
        perm.require(False)
    assert caught.value.status_code == 403
    assert caught.value.message == "您没有权限查看或操作此页面。"


def test_require_true_passes():
    assert perm.require(True) is None


# --- 用户管理: who manages whose account -----------------------------------------------------
# The account sits in the user's own town (town 1 of district 1), another town of the own district,
# or a town of another district; its role is a council member, a collector, a convener or street
# staff (the ones a street might be tempted to hand out), an administrator (no town).
ACCOUNT_PLACES = {"own": (1, 1), "other_town": (2, 1), "other_district": (3, 2)}
#                       member           collector        convener         street_staff     admin
MANAGE_ACCOUNT = {
    Role.admin:             ((T, T, T), (T, T, T), (T, T, T), (T, T, T), T),
    Role.district_reviewer: ((F, F, F), (F, F, F), (F, F, F), (F, F, F), F),
    Role.street_staff:      ((T, F, F), (T, F, F), (F, F, F), (F, F, F), F),
    Role.convener:          ((F, F, F), (F, F, F), (F, F, F), (F, F, F), F),
    Role.member:            ((F, F, F), (F, F, F), (F, F, F), (F, F, F), F),
    Role.collector:         ((F, F, F), (F, F, F), (F, F, F), (F, F, F), F),
    Role.unit_clerk:        ((F, F, F), (F, F, F), (F, F, F), (F, F, F), F),
    Role.observer:          ((F, F, F), (F, F, F), (F, F, F), (F, F, F), F),
}
VIEW_ACCOUNT = {
    Role.admin:             ((T, T, T), (T, T, T), (T, T, T), (T, T, T), T),
    Role.district_reviewer: ((T, T, F), (T, T, F), (T, T, F), (T, T, F), F),
    Role.street_staff:      ((T, F, F), (T, F, F), (F, F, F), (F, F, F), F),
    Role.convener:          ((F, F, F), (F, F, F), (F, F, F), (F, F, F), F),
    Role.member:            ((F, F, F), (F, F, F), (F, F, F), (F, F, F), F),
    Role.collector:         ((F, F, F), (F, F, F), (F, F, F), (F, F, F), F),
    Role.unit_clerk:        ((F, F, F), (F, F, F), (F, F, F), (F, F, F), F),
    Role.observer:          ((F, F, F), (F, F, F), (F, F, F), (F, F, F), F),
}
TARGET_ROLES = (Role.member, Role.collector, Role.convener, Role.street_staff)


def _account_grid(grid, predicate):
    for role, (*by_role, admin_target) in grid.items():
        for target, expected in zip(TARGET_ROLES, by_role, strict=True):
            for (town, district), allowed in zip(ACCOUNT_PLACES.values(), expected, strict=True):
                yield role, target, town, district, allowed, predicate
        yield role, Role.admin, None, None, admin_target, predicate


@pytest.mark.parametrize(("role", "target", "town", "district", "allowed", "predicate"),
                         list(_account_grid(MANAGE_ACCOUNT, "manage")) + list(_account_grid(VIEW_ACCOUNT, "view")))
def test_account_grid(role, target, town, district, allowed, predicate):
    user = user_of(role)
    if predicate == "manage":
        assert perm.can_manage_account(user, target, town) is allowed
    else:
        assert perm.can_view_account(user, target, town, district) is allowed


@pytest.mark.parametrize(("role", "opens", "grants"), [
    (Role.admin, True, tuple(Role)),
    (Role.district_reviewer, True, ()),
    (Role.street_staff, True, (Role.member, Role.collector)),
    (Role.convener, False, ()),
    (Role.member, False, ()),
    (Role.collector, False, ()),
    (Role.unit_clerk, False, ()),
    (Role.observer, False, ()),
])
def test_user_admin_page_and_grantable_roles(role, opens, grants):
    user = user_of(role)
    assert perm.can_open_user_admin(user) is opens
    assert perm.grantable_roles(user) == grants


def test_street_staff_without_a_street_manages_no_one():
    user = SimpleNamespace(role="street_staff", town=None, district=None, community=None)
    assert perm.can_open_user_admin(user) is False
    assert perm.can_manage_account(user, Role.member, None) is False
