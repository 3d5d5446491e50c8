"""Append-only audit trail: every state change is recorded with a dotted action name."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from yishi.core.tables import AuditEntry


async def record(
    action: str,
    *,
    actor: Any = None,
    object_type: str = "",
    object_id: int | None = None,
    **data: Any,
) -> None:
    await AuditEntry.insert(
        AuditEntry(
            action=action,
            actor_id=getattr(actor, "id", None),
            actor_name=getattr(actor, "display_name", "") or "",
            object_type=object_type,
            object_id=object_id,
            data=data,
            created_at=datetime.now(timezone.utc),
        )
    ).run()


async def entries_for(object_type: str, object_id: int) -> list[dict]:
    return (
        await AuditEntry.select()
        .where((AuditEntry.object_type == object_type) & (AuditEntry.object_id == object_id))
        .order_by(AuditEntry.id)
        .run()
    )
