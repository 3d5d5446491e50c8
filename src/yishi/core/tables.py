from piccolo.columns import JSON, DoublePrecision, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_entry"):
    """Append-only record of every state change: a dotted action name, who, when, what; each
    entry sealed with the hash of the one before it (core.audit)."""

    id: Serial
    action = Varchar(length=80, index=True)
    actor_id = Integer(null=True, default=None)
    actor_name = Varchar(length=80, default="")
    object_type = Varchar(length=40, default="")
    object_id = Integer(null=True, default=None)
    data = JSON(default="{}")
    created_at = Timestamptz()
    prev_hash = Varchar(length=64, default="")
    hash = Varchar(length=64, default="")


class SharedState(Table, tablename="shared_state"):
    """Small records that every server process must see alike (the rate limits of core.limits):
    a key, a JSON value, and the moment (seconds since the epoch) after which it counts as gone."""

    id: Serial
    key = Varchar(length=200, unique=True)
    value = Text(default="null")
    expires_at = DoublePrecision(default=0.0)
