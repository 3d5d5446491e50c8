"""PDFs for the district: the intent-list dossier and a meeting's minutes. Each returns
(filename, mimetype, bytes), testable without HTTP."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from yishi.core import audit
from yishi.core.dates import CHINA
from yishi.core.i18n import official_document
from yishi.core.pdf import render_pdf
from yishi.meetings import compile as compiling
from yishi.meetings import desk, meeting, records
from yishi.meetings.enums import MeetingStep
from yishi.meetings.tables import Decision, DecisionHistory
from yishi.wishlists import services as wishlists


def _fingerprint(intent: records.IntentList) -> str:
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
    by date; numbered from 1, with no leading zeros. Decisions a 复议 replaced keep their place,
    so a revised list is a new report with the next number and no other report's number moves."""
    local = decided_at.astimezone(CHINA)
    start = datetime(local.year, 1, 1, tzinfo=CHINA)
    rows = [(r["decided_at"], r["round"]) for r in await Decision.select(Decision.round, Decision.decided_at).where(
        (Decision.round.town == town_id) & (Decision.decided_at >= start)).run()]
    rows += [(r["decided_at"], r["round"]) for r in await DecisionHistory.select(
        DecisionHistory.round, DecisionHistory.decided_at).where(
        (DecisionHistory.round.town == town_id) & (DecisionHistory.decided_at >= start)).run()]
    ordered = sorted(rows)
    return next(i for i, r in enumerate(ordered, 1) if r == (decided_at, round_id))


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
    revised: bool = False  # the decision comes from a 复议 after the district returned the list


async def course_of(round_id: int, decisions: list[dict]) -> list[dict]:
    """The way to the decision this dossier carries: the 恳谈交清单 meeting that adopted the list, then each decision in
    turn (the first 民主议事定方向 meeting, and for each 复议 the district's return it answers,
    then the 复议 meeting). In the order of the process, whatever dates were typed in; planned
    meetings that decided nothing are left out."""
    meetings = {mt["id"]: mt for mt in await meeting.meetings_of_round(round_id)}
    adoption = await compiling.adoption_of(round_id)
    events = [{"kind": "meeting", "held_at": mt["held_at"], "title": mt["title"], "revision": False,
               "step_label": MeetingStep.consult.label}
              for mt in meetings.values() if adoption and mt["id"] == adoption["meeting"]]
    versions = {v["id"]: v for v in await desk.versions(round_id)}
    for d in decisions:
        mt = meetings.get(d["meeting"])
        if mt is None:
            continue
        returned = versions.get(mt["revises"])
        if returned is not None and returned["reviewed_at"] is not None:
            events.append({"kind": "return", "at": returned["reviewed_at"], "version": returned["version"],
                           "comment": returned["comment"]})
        events.append({"kind": "meeting", "held_at": mt["held_at"], "title": mt["title"],
                       "revision": mt["revises"] is not None, "step_label": MeetingStep(mt["step"]).label})
    return events


async def dossier(round_id: int) -> tuple[Dossier, str]:
    intent = await records.intent_list(round_id)  # refuses a round with no decision
    decision, tally_all = intent.decision, intent.tally
    all_items = [{**i, "approvals": tally_all.approvals.get(i["id"], 0)} for i in await wishlists.items_of(round_id)]
    meetings = await course_of(round_id, await records.decisions_of_round(round_id))
    counts: dict[int, Any] = {}
    attendance = None
    revised = False
    if decision["meeting"]:
        m = await meeting.get_meeting(decision["meeting"])
        revised = m.revises is not None
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
        revised=revised,
    )
    return d, _fingerprint(intent)


@official_document
async def intent_list_pdf(round_id: int) -> tuple[str, str, bytes]:
    d, fingerprint = await dossier(round_id)
    pdf = await render_pdf("pdf/intent_list.html", d=d, fingerprint=fingerprint, chain=await audit.head(),
                           printed_at=datetime.now(UTC))
    filename = f"{d.round.town_name}-{d.round.title}-意愿清单.pdf"
    return filename, "application/pdf", pdf


def _minutes_fingerprint(m: meeting.MeetingView, s: meeting.State) -> str:
    data = {"meeting": m.id, "status": m.status.value, "presence": sorted(s.presence.items()),
            "agenda": [[a["title"], a["notes"]] for a in s.agenda],
            "votes": sorted((i, sorted(v.items())) for i, v in s.votes.items())}
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16].upper()


@official_document
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
        # The decision this meeting made, even if a later 复议 has replaced it since.
        decision = await records.decision_made_in(m.id)
    adoption = None
    if m.round_id is not None and m.step is MeetingStep.consult:
        found = await compiling.adoption_of(m.round_id)
        adoption = found if found and found["meeting"] == m.id else None
    returned = None
    if m.revises is not None:
        returned = await desk.get_submission(m.revises)
        returned["item_comments"] = await desk.comments_of(m.revises)
    pdf = await render_pdf("pdf/minutes.html", m=m, s=s, number=await meeting.number_of(m), voted=voted,
                           decision=decision, quorum_reason=meeting.quorum_reason(s.quorum, m.rules),
                           fingerprint=_minutes_fingerprint(m, s), returned=returned, adoption=adoption)
    return f"{m.council_name}-{m.title}-会议纪要.pdf", "application/pdf", pdf

