"""Who may handle paper ballots: small predicates over plain values, like accounts.permissions."""
from __future__ import annotations

from typing import Any

from yishi.accounts.enums import Role
from yishi.accounts.permissions import id_of, is_admin, is_town_staff, role_of


def can_enter_paper(user: Any, town_id: int, community_id: int | None = None) -> bool:
    """Enter returned paper ballots: a collector for their own community (or their town when
    bound to no community), the town's staff, an administrator. With community_id None: for
    some community of the town."""
    if is_admin(user) or is_town_staff(user, town_id):
        return True
    if role_of(user) is not Role.collector or id_of(user.town) != town_id:
        return False
    own = id_of(getattr(user, "community", None))
    return own is None or community_id is None or own == community_id


def can_supervise_paper(user: Any, town_id: int) -> bool:
    """Decide a paper ballot whose two entries differ: the town's staff or convener."""
    return is_admin(user) or is_town_staff(user, town_id)
