"""The intent list (意愿清单) for the district, as a PDF: returns (filename, mimetype, bytes)."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from yishi.core.pdf import render_pdf
from yishi.meetings import services


def _fingerprint(intent: services.IntentList) -> str:
    """A short hash of the list's data, printed on the page so a paper copy can be matched."""
    data = {
        "round": intent.round.id,
        "resolution": intent.resolution,
        "items": [[i["id"], i["title"], i["cost_fen"], i["kind"].value, i["approvals"]] for i in intent.items],
        "ballots": intent.ballots,
    }
    digest = hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    return digest[:16].upper()


async def intent_list_pdf(round_id: int) -> tuple[str, str, bytes]:
    intent = await services.intent_list(round_id)
    pdf = await render_pdf(
        "pdf/intent_list.html",
        intent=intent,
        fingerprint=_fingerprint(intent),
        printed_at=datetime.now(timezone.utc),
    )
    filename = f"{intent.round.town_name}-{intent.round.title}-意愿清单.pdf"
    return filename, "application/pdf", pdf
