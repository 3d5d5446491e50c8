"""Residents' personal data is kept while a suggestion is open and for RETENTION_DAYS after it is
answered for good; then `purge_personal_data` clears it (see the README)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from yishi.core import audit
from yishi.suggestions.enums import SuggestionStatus
from yishi.suggestions.tables import Suggestion


def _now() -> datetime:
    return datetime.now(UTC)


# --- personal data retention -------------------------------------------------------------------

RETENTION_DAYS = 180


async def purge_personal_data(*, older_than_days: int = RETENTION_DAYS, now: datetime | None = None,
                              actor: Any = None) -> int:
    """Clear name and phone of suggestions answered for good more than `older_than_days` ago (a
    merged duplicate: once its primary is). The suggestion itself, its answer and its history
    stay; the audit trail never held the personal data."""
    cutoff = (now or _now()) - timedelta(days=older_than_days)
    candidates = await Suggestion.select(
        Suggestion.id, Suggestion.status, Suggestion.closed_at, Suggestion.merged_into,
        Suggestion.merged_into.status.as_alias("primary_status"),
        Suggestion.merged_into.closed_at.as_alias("primary_closed_at"),
    ).where(
        Suggestion.purged_at.is_null()
        & ((Suggestion.phone_cipher != "") | (Suggestion.submitter_name != ""))
    ).run()
    due = []
    for c in candidates:
        status, closed_at = SuggestionStatus(c["status"]), c["closed_at"]
        if status is SuggestionStatus.merged:
            status = SuggestionStatus(c["primary_status"]) if c["primary_status"] else status
            closed_at = c["primary_closed_at"]
        if status.is_final and closed_at is not None and closed_at <= cutoff:
            due.append(c["id"])
    if not due:
        return 0
    async with Suggestion._meta.db.transaction():
        # Only what is still unpurged, and only those get an audit entry: a purge running at the
        # same moment (two `yishi periodic` at once, the admin's button) found the same rows, and
        # whichever commits second clears none of them twice.
        purged = await Suggestion.update({
            Suggestion.submitter_name: "", Suggestion.phone_cipher: "", Suggestion.phone_hash: "",
            Suggestion.phone_masked: "", Suggestion.purged_at: now or _now(),
        }).where(Suggestion.id.is_in(due) & Suggestion.purged_at.is_null()).returning(Suggestion.id).run()
        for sid in sorted(r["id"] for r in purged):
            await audit.record("suggestion.personal_data.purged", actor=actor, object_type="suggestion",
                               object_id=sid, retention_days=older_than_days)
    return len(purged)
