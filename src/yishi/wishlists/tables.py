from piccolo.columns import BigInt, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from yishi.accounts.tables import User
from yishi.places.tables import Town
from yishi.suggestions.tables import Suggestion
from yishi.wishlists.enums import ItemKind, RoundStatus


class Round(Table, tablename="round"):
    """批次: one pass of a town's council through the wish list, the ticking and the decision."""

    id: Serial
    town = ForeignKey(Town, null=False)
    title = Varchar(length=80)
    budget_fen = BigInt(default=0)
    # 0 means residents may tick as many items as they like.
    max_ticks = Integer(default=0)
    status = Varchar(length=12, choices=RoundStatus, default=RoundStatus.draft)
    created_by = ForeignKey(User, null=True)
    created_at = Timestamptz()
    opened_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    # Set when a quorate 民主恳谈交清单 meeting adopts (定稿) the list: from then on it is frozen,
    # and only an adopted list can be published for residents' ticking.
    adopted_at = Timestamptz(null=True, default=None)


class WishItem(Table, tablename="wish_item"):
    """One candidate micro-project on the 民生微事服务期望清单."""

    id: Serial
    round = ForeignKey(Round, null=False)
    position = Integer(default=0)
    title = Varchar(length=80)
    description = Text(default="")
    cost_fen = BigInt(default=0)
    kind = Varchar(length=12, choices=ItemKind, default=ItemKind.special)
    # 牵头单位: who will carry the item out if approved, set while compiling; carried to MicroProject.
    lead_unit = Varchar(length=80, default="")


class WishLink(Table, tablename="suggestion_wish_link"):
    """A suggestion answered by a wish-list item (wishlists.sources), read both ways: the item's
    sources, the suggestion's items. Owned by the wish list, above suggestions, as data flows
    suggestions → wish list; the table keeps the name it was created with (migration
    wishlists_2026_12_06t07_00_00 moved its bookkeeping here without touching the rows)."""

    id: Serial
    suggestion = ForeignKey(Suggestion, null=False, index=True)
    wish_item = ForeignKey(WishItem, null=False, index=True)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz()
