"""The district desk: the street submits the intent list, the district approves or returns it.

Every submission is a version with a snapshot of what was sent; versions are never changed
except for the district's verdict, so any two can be compared. An approved list turns its items
into micro-projects (民生微事) for delivery to track."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from yishi.core import audit
from yishi.core.errors import Conflict, DomainError, NotFound
from yishi.core.i18n import _
from yishi.meetings import services
from yishi.meetings.enums import SubmissionStatus
from yishi.meetings.tables import Decision, DecisionItem, MicroProject, ReviewComment, Submission
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus
from yishi.wishlists.tables import Round


async def snapshot_of(round_id: int) -> dict:
    intent = await services.intent_list(round_id)
    decision = await Decision.select(Decision.departure_reason).where(Decision.round == round_id).first().run()
    return {
        "resolution": intent.resolution,
        "departure_reason": decision["departure_reason"] if decision else "",
        "items": [{"id": i["id"], "title": i["title"], "cost_fen": i["cost_fen"], "kind": i["kind"].value,
                   "approvals": i["approvals"], "lead_unit": i.get("lead_unit") or ""} for i in intent.items],
        "total_fen": intent.total_fen,
        "budget_fen": intent.round.budget_fen,
    }


async def versions(round_id: int) -> list[dict]:
    rows = await Submission.select(
        Submission.all_columns(), Submission.submitted_by.display_name.as_alias("submitter"),
        Submission.reviewed_by.display_name.as_alias("reviewer"),
    ).where(Submission.round == round_id).order_by(Submission.version).run()
    for row in rows:
        row["status"] = SubmissionStatus(row["status"])
        if isinstance(row["snapshot"], str):
            import json
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
    return await ReviewComment.select(ReviewComment.all_columns(), ReviewComment.item.title.as_alias("item_title")).where(
        ReviewComment.submission == submission_id).order_by(ReviewComment.id).run()


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
    snapshot = await snapshot_of(round_.id)
    if last is not None and last["snapshot"] == snapshot and not note:
        raise DomainError(_("意愿清单与上次报送的版本完全相同。请先按退回意见修改，或填写报送说明。"))
    version = (last["version"] if last else 0) + 1
    try:
        await Submission.insert(Submission(
            round=round_.id, version=version, status=SubmissionStatus.submitted, snapshot=snapshot, note=note,
            submitted_by=getattr(actor, "id", None), submitted_at=datetime.now(timezone.utc),
            slot=f"{round_.id}:{version}")).run()
    except Exception as exc:
        if "Integrity" in type(exc).__name__ or "UniqueViolation" in type(exc).__name__:
            raise Conflict(_("这份意愿清单刚刚已被他人报送，请刷新页面。"))
        raise
    await audit.record("desk.submission.submitted", actor=actor, object_type="round", object_id=round_.id,
                       version=version)
    row = await Submission.select(Submission.id).where(Submission.slot == f"{round_.id}:{version}").first().run()
    return row["id"]


async def revise(round_: wishlists.RoundView, approved_ids: list[int], resolution: str, *, actor: Any) -> None:
    """After a return: change the approved items and the resolution, then submit again."""
    last = await latest(round_.id)
    if last is None or last["status"] is not SubmissionStatus.returned:
        ensure_revisable(last)
        raise Conflict(_("只有被区级退回的意愿清单才能修改。"))
    resolution, items, approved = await services.checked_outcome(round_, approved_ids, resolution)
    decision = await Decision.select(Decision.id).where(Decision.round == round_.id).first().run()
    async with Decision._meta.db.transaction():
        await Decision.update({Decision.resolution: resolution}).where(Decision.id == decision["id"])
        for item in items:
            await DecisionItem.update({DecisionItem.approved: item in approved}).where(
                (DecisionItem.decision == decision["id"]) & (DecisionItem.item == item))
    await audit.record("desk.intent_list.revised", actor=actor, object_type="round", object_id=round_.id,
                       approved=sorted(approved))


async def review(submission_id: int, *, approve: bool, comment: str, item_comments: dict[int, str],
                 actor: Any) -> None:
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
    now = datetime.now(timezone.utc)
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
        if approve:
            await MicroProject.insert(*[
                MicroProject(round=sub["round"], item=i["id"], submission=submission_id, title=i["title"],
                             cost_fen=i["cost_fen"], kind=i["kind"], lead_unit=i.get("lead_unit", ""), status="approved",
                             created_at=now)
                for i in sub["snapshot"]["items"]]).run()
    await audit.record(f"desk.submission.{new.value}", actor=actor, object_type="round", object_id=sub["round"],
                       version=sub["version"], comments=len(item_comments))


async def desk(district_id: int, status: SubmissionStatus | None = None) -> list[dict]:
    """Every street's latest submission per round, newest first."""
    rows = await Submission.select(
        Submission.id, Submission.round, Submission.version, Submission.status, Submission.submitted_at,
        Submission.reviewed_at, Submission.round.title.as_alias("round_title"),
        Submission.round.town.name.as_alias("town_name"),
    ).where(Submission.round.town.district == district_id).order_by(Submission.version).run()
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
        "changed": [(a[i], b[i]) for i in b if i in a and (a[i]["cost_fen"], a[i]["title"]) != (b[i]["cost_fen"], b[i]["title"])],
        "resolution_changed": old.get("resolution") != new.get("resolution"),
        "total_before": old.get("total_fen", 0),
        "total_after": new.get("total_fen", 0),
    }


async def projects_of(round_id: int) -> list[dict]:
    return await MicroProject.select().where(MicroProject.round == round_id).order_by(MicroProject.id).run()


async def round_ids_of_district(district_id: int) -> list[int]:
    return [r["id"] for r in await Round.select(Round.id).where(Round.town.district == district_id).run()]
