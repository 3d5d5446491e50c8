"""PDFs for the district: the intent-list dossier and a meeting's minutes. Each returns
(filename, mimetype, bytes), testable without HTTP."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from yishi.core.pdf import render_pdf
from yishi.core.templating import CHINA
from yishi.meetings import meeting, services
from yishi.meetings.enums import MeetingStep
from yishi.meetings.tables import Decision
from yishi.wishlists import services as wishlists


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


def doc_prefix(town_name: str) -> str:
    """大弯街道 -> 大弯议: the town's short name and 议 (a council's document)."""
    for suffix in ("街道办事处", "街道", "镇", "乡"):
        if town_name.endswith(suffix) and len(town_name) > len(suffix):
            return town_name[: -len(suffix)] + "议"
    return town_name + "议"


async def doc_number(round_id: int, town_id: int, decided_at: datetime) -> int:
    """〔year〕N号: the decision's place among the town's decisions of that year (Beijing time),
    by date; numbered from 1, with no leading zeros."""
    local = decided_at.astimezone(CHINA)
    start = datetime(local.year, 1, 1, tzinfo=CHINA)
    rows = await Decision.select(Decision.round, Decision.decided_at).where(
        (Decision.round.town == town_id) & (Decision.decided_at >= start)).run()
    ordered = sorted(rows, key=lambda r: (r["decided_at"], r["round"]))
    return next(i for i, r in enumerate(ordered, 1) if r["round"] == round_id)


@dataclass
class Dossier:
    round: wishlists.RoundView
    council_name: str
    resolution: str
    departure_reason: str
    decided_at: datetime
    items: list[dict]
    all_items: list[dict]
    approved_ids: set[int]
    ballots: int
    codes_issued: int
    per_community: list[dict]
    total_fen: int
    by_kind: dict
    members: list[dict]
    meetings: list[dict]
    doc_prefix: str
    doc_year: int
    doc_no: int
    counts: dict[int, Any] = field(default_factory=dict)
    attendance: dict | None = None


async def dossier(round_id: int) -> tuple[Dossier, str]:
    intent = await services.intent_list(round_id)
    decision = await Decision.select().where(Decision.round == round_id).first().run()
    tally_all = await services.ballots.tally(round_id)
    all_items = [{**i, "approvals": tally_all.approvals.get(i["id"], 0)} for i in await wishlists.items_of(round_id)]
    meetings = [{**mt, "step_label": MeetingStep(mt["step"]).label} for mt in await meeting.meetings_of_round(round_id)]
    counts: dict[int, Any] = {}
    attendance = None
    if decision["meeting"]:
        m = await meeting.get_meeting(decision["meeting"])
        s = await meeting.state(m)
        counts = s.counts
        attendance = {
            "members": s.quorum.members, "present": s.quorum.present, "guests": len(s.guests),
            "quorum": s.quorum.met, "all_fixed": m.rules.quorum_all_fixed, "pass_pct": m.rules.pass_share_pct,
            "by_category": s.by_category("present"),
            "leave": [p["name"] for _c, people in s.by_category("leave") for p in people],
            "guest_names": [g["name"] + (f"({g['organisation']})" if g["organisation"] else "") for g in s.guests],
        }
    decided_at = intent.decided_at
    d = Dossier(
        round=intent.round, council_name=intent.council_name, resolution=intent.resolution,
        departure_reason=decision["departure_reason"] or "", decided_at=decided_at, items=intent.items,
        all_items=all_items, approved_ids={i["id"] for i in intent.items}, ballots=intent.ballots,
        codes_issued=intent.codes_issued, per_community=tally_all.per_community, total_fen=intent.total_fen,
        by_kind={k: n for k, n in intent.by_kind.items() if n}, members=intent.members, meetings=meetings,
        doc_prefix=doc_prefix(intent.round.town_name), doc_year=decided_at.astimezone(CHINA).year,
        doc_no=await doc_number(round_id, intent.round.town_id, decided_at), counts=counts, attendance=attendance,
    )
    return d, _fingerprint(intent)


async def intent_list_pdf(round_id: int) -> tuple[str, str, bytes]:
    d, fingerprint = await dossier(round_id)
    pdf = await render_pdf("pdf/intent_list.html", d=d, fingerprint=fingerprint,
                           printed_at=datetime.now(timezone.utc))
    filename = f"{d.round.town_name}-{d.round.title}-意愿清单.pdf"
    return filename, "application/pdf", pdf


def _minutes_fingerprint(m: meeting.MeetingView, s: meeting.State) -> str:
    data = {"meeting": m.id, "status": m.status.value, "presence": sorted(s.presence.items()),
            "agenda": [[a["title"], a["notes"]] for a in s.agenda],
            "votes": sorted((i, sorted(v.items())) for i, v in s.votes.items())}
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()[:16].upper()


async def minutes_pdf(meeting_id: int) -> tuple[str, str, bytes]:
    m = await meeting.get_meeting(meeting_id)
    s = await meeting.state(m)
    voted = []
    decision = None
    if m.round_id is not None:
        for item in await wishlists.items_of(m.round_id):
            c = s.counts.get(item["id"])
            if c and (c.yes + c.no + c.abstain):
                voted.append((item, c))
        decision = await Decision.select().where(Decision.round == m.round_id).first().run()
    pdf = await render_pdf("pdf/minutes.html", m=m, s=s, number=await meeting.number_of(m), voted=voted,
                           decision=decision, quorum_reason=meeting.quorum_reason(s.quorum, m.rules),
                           fingerprint=_minutes_fingerprint(m, s))
    return f"{m.council_name}-{m.title}-会议纪要.pdf", "application/pdf", pdf

