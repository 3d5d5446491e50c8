from piccolo.columns import Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from yishi.accounts.tables import User
from yishi.places.tables import Community, Town
from yishi.suggestions.enums import Channel, Grade, SuggestionStatus, Tier, Track


class Category(Table, tablename="suggestion_category"):
    """教育， 养老， ...: configurable by an administrator; defaults are created on first use."""

    id: Serial
    name = Varchar(length=20, unique=True)
    position = Integer(default=0)
    active = Boolean(default=True)


class TrackSetting(Table, tablename="suggestion_track_setting"):
    """A town's default deadline (days) for one handling track; absent rows use the defaults."""

    id: Serial
    town = ForeignKey(Town, null=False, index=True)
    track = Varchar(length=12, choices=Track)
    days = Integer(default=15)


class ObservationPoint(Table, tablename="observation_point"):
    """民情民意观测点: where a poster with a QR code ("码上听") hangs."""

    id: Serial
    community = ForeignKey(Community, null=False, index=True)
    name = Varchar(length=60)
    address = Varchar(length=120, default="")
    code = Varchar(length=8, unique=True)
    active = Boolean(default=True)
    created_at = Timestamptz()


class Suggestion(Table, tablename="suggestion"):
    """One resident's suggestion, from any channel, with its grading, handling and answer.

    Personal data (name, phone) sits in the submitter_* and phone_* columns only, so that a purge
    clears exactly them; the phone is kept encrypted, found by a keyed hash, shown masked."""

    id: Serial
    tracking_code = Varchar(length=12, unique=True)
    # Nothing lost: a suggestion outlives a deleted account or point, and blocks deleting its place.
    town = ForeignKey(Town, null=False, index=True, on_delete=OnDelete.no_action)
    community = ForeignKey(Community, null=False, index=True, on_delete=OnDelete.no_action)
    point = ForeignKey(ObservationPoint, null=True, on_delete=OnDelete.set_null)
    # 点位: the compound, building or spot the resident or collector names (free text, optional),
    # counted by the 民情热度表 beside category and community.
    spot = Varchar(length=40, default="")
    channel = Varchar(length=12, choices=Channel, index=True)
    category = ForeignKey(Category, null=False, on_delete=OnDelete.no_action)
    content = Text()
    submitter_name = Varchar(length=20, default="")
    phone_cipher = Text(default="")
    phone_hash = Varchar(length=64, default="", index=True)
    phone_masked = Varchar(length=20, default="")
    recorded_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    received_on = Date()
    status = Varchar(length=12, choices=SuggestionStatus, default=SuggestionStatus.received, index=True)
    grade = Varchar(length=1, choices=Grade, default="")
    track = Varchar(length=12, choices=Track, default="")
    tier = Varchar(length=12, choices=Tier, default="")
    due_on = Date(null=True, default=None)
    lead_unit = Varchar(length=80, default="")
    handler = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    reply = Text(default="")
    replied_at = Timestamptz(null=True, default=None)
    reject_reason = Text(default="")
    merged_into: "ForeignKey[Suggestion]" = ForeignKey("self", null=True, on_delete=OnDelete.no_action)
    supporters = Integer(default=1)
    created_at = Timestamptz()
    graded_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    purged_at = Timestamptz(null=True, default=None)
