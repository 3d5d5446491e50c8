"""The district desk: the street submits the intent list, the district approves or returns it.

Every submission is a version with a snapshot of what was sent; versions are never changed
except for the district's verdict, so any two can be compared. An approved list turns its items
into micro-projects (民生微事) for delivery to track. A returned list is revised only by the
council: a 复议 meeting (民主议事定方向 again, meeting.revises = the returned version) votes per
item and its decision is the next version; the street cannot edit the items or the resolution."""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from yishi.core import audit, db
from yishi.core.dates import CHINA
from yishi.core.errors import Conflict, DomainError, NotFound
from yishi.core.i18n import _
from yishi.meetings import records
from yishi.meetings.enums import MeetingStatus, SubmissionStatus
from yishi.meetings.tables import Meeting, ReviewComment, Submission
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus


async def snapshot_of(round_id: int) -> dict:
    intent = await records.intent_list(round_id)
    decision = await records.decision_of(round_id)
    held_at = decision["meeting_held_at"] if decision else None
    return {
        "resolution": intent.resolution,
        "departure_reason": decision["departure_reason"] if decision else "",
        # The meeting whose decision this version carries (a 复议 for a revised list).
        "meeting": {"id": decision["meeting"], "title": decision["meeting_title"] or "",
                    "held_at": held_at.astimezone(CHINA).isoformat() if held_at else "",
                    "revision": decision["revisions"]}
        if decision and decision["meeting"] else None,
        "items": [{"id": i["id"], "title": i["title"], "cost_fen": i["cost_fen"], "kind": i["kind"].value,
                   "approvals": i["approvals"], "lead_unit": i.get("lead_unit") or ""} for i in intent.items],
        "total_fen": intent.total_fen,
        "budget_fen": intent.round.budget_fen,
    }


async def versions(round_id: int) -> list[dict]:
    rows = await Submission.select(
        *Submission.all_columns(), Submission.submitted_by.display_name.as_alias("submitter"),
        Submission.reviewed_by.display_name.as_alias("reviewer"),
    ).where(Submission.round == round_id).order_by(Submission.version).run()
    for row in rows:
        row["status"] = SubmissionStatus(row["status"])
        if isinstance(row["snapshot"], str):
            row["snapshot"] = json.loads(row["snapshot"])
    return rows


async def latest(round_id: int) -> dict | None:
    rows = await versions(round_id)
    return rows[-1] if rows else None


async def get_submission(submission_id: int) -> dict:
    row = await Submission.select(Submission.round).where(Submission.id == submission_id).first().run()
    if row is None:
        raise NotFound(_("找不到这份报送。"))
    for version in await versions(row["round"]):
        if version["id"] == submission_id:
            return version
    raise NotFound(_("找不到这份报送。"))


async def comments_of(submission_id: int) -> list[dict]:
    return await ReviewComment.select(
        *ReviewComment.all_columns(), ReviewComment.item.title.as_alias("item_title")
    ).where(ReviewComment.submission == submission_id).order_by(ReviewComment.id).run()


def ensure_revisable(last: dict | None) -> None:
    """The freeze guard of the intent list: once sent, it waits for the district's verdict."""
    if last is None:
        return
    if last["status"] is SubmissionStatus.submitted:
        raise Conflict(_("意愿清单已报送区级审核，审核结束前不能修改。"))
    if last["status"] is SubmissionStatus.approved:
        raise Conflict(_("意愿清单已获区级批准，不能再修改。"))


async def submit(round_: wishlists.RoundView, note: str, *, actor: Any) -> int:
    if round_.status is not RoundStatus.decided:
        raise Conflict(_("本批次尚未形成意愿清单，不能报送区级审核。"))
    note = (note or "").strip()
    if len(note) > 2000:
        raise DomainError(_("报送说明不能超过 2000 个字。"))
    last = await latest(round_.id)
    ensure_revisable(last)
    if last is not None:
        state = await revision_state(round_.id, last, await records.decision_of(round_.id))
        if state["revision_pending"]:
            raise Conflict(_("复议会议“{t}”还没有形成决议。请等复议形成修改后的意愿清单再报送；"
                             "如不再复议，请召集人结束该会议（纪要定稿）。").format(t=state["revision_pending"][0]["title"]))
    snapshot = await snapshot_of(round_.id)
    if last is not None and last["snapshot"] == snapshot and not note:
        raise DomainError(_("意愿清单与上次报送的版本完全相同。"
                            "请先召开复议会议按退回意见重新表决，或在报送说明中写明情况。"))
    version = (last["version"] if last else 0) + 1
    try:
        rows = await Submission.insert(Submission(
            round=round_.id, version=version, status=SubmissionStatus.submitted, snapshot=snapshot, note=note,
            submitted_by=getattr(actor, "id", None), submitted_at=datetime.now(UTC),
            slot=f"{round_.id}:{version}")).returning(Submission.id).run()
    except Exception as exc:
        if db.is_unique_violation(exc):
            raise Conflict(_("这份意愿清单刚刚已被他人报送，请刷新页面。")) from exc
        raise
    await audit.record("desk.submission.submitted", actor=actor, object_type="round", object_id=round_.id,
                       version=version)
    return rows[0]["id"]


def direct_edit_refused() -> Conflict:
    """The old revision form changed the approved items and the resolution by hand. Both are the
    council's decision: they change only by a 复议 meeting's votes."""
    return Conflict(_("意愿清单的项目和决议是议事组逐项表决形成的，街道工作人员不能直接修改。"
                      "请召集人安排“民主议事定方向”复议会议，由成员按退回意见重新表决，形成修改后的意愿清单后再重新报送。"))


# --- 复议: the council reconsiders a returned list ------------------------------------------

async def revision_target(round_: wishlists.RoundView) -> int | None:
    """The submission a new 民主议事定方向 meeting on this round would reconsider: None while the
    round awaits its first decision; the returned latest version once decided. Refused when the
    list is decided and not returned (pending or approved): there is nothing to reconsider."""
    if round_.status is not RoundStatus.decided:
        return None
    last = await latest(round_.id)
    if last is None:
        raise Conflict(_("本批次已经形成意愿清单，尚未报送区级审核，不能再安排议事定方向会议。"
                         "只有被区级退回后，才能召开复议会议。"))
    ensure_reconsiderable(last)
    state = await revision_state(round_.id, last, None)
    if state["revision_pending"]:
        raise Conflict(_("已经安排了复议会议“{t}”，请在该会议上复议；不能为同一次退回再安排一次。").format(
            t=state["revision_pending"][0]["title"]))
    return last["id"]


def ensure_reconsiderable(last: dict) -> None:
    if last["status"] is SubmissionStatus.submitted:
        raise Conflict(_("意愿清单第 {v} 版正在区级审核，审核结束前不能复议。").format(v=last["version"]))
    if last["status"] is SubmissionStatus.approved:
        raise Conflict(_("意愿清单第 {v} 版已获区级批准，不能再复议。").format(v=last["version"]))


async def ensure_revision_open(m: Any, round_: wishlists.RoundView) -> dict:
    """A 复议 meeting votes and decides only while the version it reconsiders is the latest and
    returned, and only once: after its decision (or another 复议's on the same return) the
    street resubmits. Returns the round's current decision, the one a 复议 replaces."""
    if round_.status is not RoundStatus.decided:
        raise Conflict(_("本批次尚未形成意愿清单，不能复议。"))
    last = await latest(round_.id)
    if last is None:
        raise Conflict(_("本批次尚未报送区级审核，不能复议。"))
    ensure_reconsiderable(last)
    if last["id"] != m.revises:
        target = await Submission.select(Submission.version).where(Submission.id == m.revises).first().run()
        raise Conflict(_("本次复议针对的是第 {a} 版，区级已退回第 {b} 版，请另行安排复议会议。").format(
            a=target["version"] if target else _("（未知）"), b=last["version"]))
    decision = await records.decision_of(round_.id)
    if decision is None:  # a 已形成意愿清单 round has one
        raise Conflict(_("本批次尚未形成意愿清单，不能复议。"))
    if decision["meeting"] is not None:
        made_by = await Meeting.select(Meeting.id, Meeting.revises, Meeting.title).where(
            Meeting.id == decision["meeting"]).first().run()
        if made_by and made_by["revises"] == m.revises:
            raise Conflict(_("第 {v} 版退回后，“{t}”已经复议形成修改后的意愿清单，请报送区级审核。").format(
                v=last["version"], t=made_by["title"]))
    return decision


async def revision_meetings(round_id: int, submission_id: int) -> list[dict]:
    """The 复议 meetings planned for one returned version, oldest first."""
    return await Meeting.select().where((Meeting.round == round_id) & (Meeting.revises == submission_id)).order_by(
        Meeting.held_at).order_by(Meeting.id).run()


async def revision_state(round_id: int, last: dict | None, decision: dict | None) -> dict[str, Any]:
    """Where a returned list stands: its 复议 meetings, whether one has decided (the new list is
    ready to resubmit), or is still pending (resubmitting waits for it)."""
    if last is None or last["status"] is not SubmissionStatus.returned:
        return {"revision_meetings": [], "revised": None, "revision_pending": []}
    meetings = await revision_meetings(round_id, last["id"])
    for mt in meetings:
        mt["status"] = MeetingStatus(mt["status"])
    revised = next((mt for mt in meetings if decision and decision["meeting"] == mt["id"]), None)
    pending = [] if revised else [mt for mt in meetings if mt["status"] is not MeetingStatus.closed]
    return {"revision_meetings": meetings, "revised": revised, "revision_pending": pending}


async def revision_context(m: Any, round_: wishlists.RoundView, decision: dict | None) -> dict[str, Any]:
    """What the meeting page needs for votes: whether this meeting may still vote and decide
    (`voting_open`), whether it made the round's decision (`decided_here`), and for a 复议 the
    returned version with the district's comments, general and per item."""
    decided_here = bool(decision and decision["meeting"] == m.id)
    revision = None
    if m.revises is not None:
        sub = await get_submission(m.revises)
        comments = await comments_of(sub["id"])
        revision = {"sub": sub, "comments": comments, "by_item": {c["item"]: c["text"] for c in comments if c["item"]},
                    "listed": {i["id"] for i in sub["snapshot"].get("items", [])}}
        try:
            await ensure_revision_open(m, round_)
            open_ = True
        except Conflict as exc:
            open_, revision["closed_reason"] = False, exc.message
    else:
        open_ = round_.status is RoundStatus.counted and decision is None
    return {"revision": revision, "decided_here": decided_here, "voting_open": open_ and m.status is MeetingStatus.open}


async def review(submission_id: int, *, approve: bool, comment: str, item_comments: dict[int, str],
                 actor: Any, on_approved: Callable[[int, Any], Awaitable[Any]] | None = None) -> None:
    """The district's verdict. An approval hands the items on to delivery through `on_approved`
    (projects.services.start_from_approval): projects sits above meetings, so the desk cannot
    create them itself, and calling it here keeps both in one transaction."""
    sub = await get_submission(submission_id)
    if sub["status"] is not SubmissionStatus.submitted:
        raise Conflict(_("这份报送已经审核过（{s}），不能重复审核。").format(s=sub["status"].label))
    comment = (comment or "").strip()
    item_comments = {i: t.strip() for i, t in item_comments.items() if t and t.strip()}
    listed = {i["id"] for i in sub["snapshot"]["items"]}
    if not set(item_comments) <= listed:
        raise DomainError(_("意见所针对的项目不在这份意愿清单上。"))
    if len(comment) > 4000 or any(len(t) > 1000 for t in item_comments.values()):
        raise DomainError(_("审核意见太长，请精简后再提交。"))
    if not approve and not comment and not item_comments:
        raise DomainError(_("退回时请填写总体意见，或至少对一个项目写明意见。"))
    new = SubmissionStatus.approved if approve else SubmissionStatus.returned
    now = datetime.now(UTC)
    async with Submission._meta.db.transaction():
        changed = await Submission.update({Submission.status: new, Submission.reviewed_by: getattr(actor, "id", None),
                                           Submission.reviewed_at: now, Submission.comment: comment}).where(
            (Submission.id == submission_id) & (Submission.status == SubmissionStatus.submitted)
        ).returning(Submission.id).run()
        if not changed:
            raise Conflict(_("这份报送刚刚已被他人审核，请刷新页面。"))
        if item_comments:
            await ReviewComment.insert(*[ReviewComment(submission=submission_id, item=i, text=t)
                                         for i, t in sorted(item_comments.items())]).run()
        if approve and on_approved is not None:
            await on_approved(submission_id, actor)
    await audit.record(f"desk.submission.{new.value}", actor=actor, object_type="round", object_id=sub["round"],
                       version=sub["version"], comments=len(item_comments))


async def desk(district_id: int, status: SubmissionStatus | None = None) -> list[dict]:
    """Every street's latest submission per round, newest first."""
    rows = await Submission.select(
        Submission.id, Submission.round, Submission.version, Submission.status, Submission.submitted_at,
        Submission.reviewed_at, Submission.round.title.as_alias("round_title"),
        Submission.round._.town.name.as_alias("town_name"),
    ).where(Submission.round._.town.district == district_id).order_by(Submission.version).run()
    last: dict[int, dict] = {}
    for row in rows:
        row["status"] = SubmissionStatus(row["status"])
        last[row["round"]] = row
    out = sorted(last.values(), key=lambda r: r["submitted_at"], reverse=True)
    return [r for r in out if status is None or r["status"] is status]


def compare(old: dict, new: dict) -> dict:
    """What changed between two snapshots: items added, removed, or with another cost; and
    whether the resolution text changed. Pure, so it is tested on its own."""
    a = {i["id"]: i for i in old["items"]}
    b = {i["id"]: i for i in new["items"]}
    return {
        "added": [b[i] for i in b if i not in a],
        "removed": [a[i] for i in a if i not in b],
        "changed": [(a[i], b[i]) for i in b
                    if i in a and (a[i]["cost_fen"], a[i]["title"]) != (b[i]["cost_fen"], b[i]["title"])],
        "resolution_changed": old.get("resolution") != new.get("resolution"),
        # The meeting whose decision each version carries: a revised list comes from a 复议.
        "meeting_before": old.get("meeting"),
        "meeting_after": new.get("meeting"),
        "meeting_changed": (old.get("meeting") or {}).get("id") != (new.get("meeting") or {}).get("id"),
        "total_before": old.get("total_fen", 0),
        "total_after": new.get("total_fen", 0),
    }


async def projects_of(round_id: int) -> list[dict]:
    """The items of the round's approved version, as the district approved them (the delivery
    records are projects.services.projects_of_round)."""
    approved = [v for v in await versions(round_id) if v["status"] is SubmissionStatus.approved]
    if not approved:
        return []
    return [{**i, "item": i["id"], "round": round_id, "submission": approved[-1]["id"]}
            for i in approved[-1]["snapshot"]["items"]]
