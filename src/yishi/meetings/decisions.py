"""The council's decision on a round (民主议事定方向): from the members' votes in a quorate meeting
(decide), recorded once (record_decision), or replacing the round's decision in a 复议 meeting.
Above meeting.py and desk.py: it checks the meeting and the district's return through them."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from yishi.core import audit, db
from yishi.core.errors import Conflict, DomainError
from yishi.core.i18n import _
from yishi.meetings import desk, meeting, records
from yishi.meetings.enums import MeetingStep
from yishi.meetings.tables import Decision, DecisionHistory, DecisionItem
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus


async def decide(m: meeting.MeetingView, resolution: str, departure_reason: str, *, actor: Any) -> list[int]:
    """The intent list from the members' votes: the items that passed. A choice that differs
    from the greedy-by-approvals result needs its reason on record."""
    round_, s = await meeting.ready_to_vote(m)
    passed = [i for i, c in s.counts.items() if c.passed]
    if not passed:
        raise DomainError(_("还没有项目获得表决通过，不能形成意愿清单。"))
    support = await records.decision_support(round_.id)
    departure_reason = meeting.checked_text(departure_reason, _("调整理由"), 2000, required=False)
    if set(passed) != set(support.greedy) and not departure_reason:
        raise DomainError(_("表决通过的项目与“按勾选数排序、预算内依次入选”的结果不同，请填写调整理由。"))
    await record_decision(round_, passed, resolution, actor=actor, meeting_id=m.id,
                          departure_reason=departure_reason)
    return passed


def not_from_meeting() -> Conflict:
    return Conflict(_("议事决定只能在达到法定人数的“民主议事定方向”会议上逐项表决形成。"
                      "请到本批次的议事会议页面签到、表决、形成意愿清单。"))


async def checked_outcome(round_: wishlists.RoundView, approved_ids: list[int],
                          resolution: str) -> tuple[str, set[int], set[int]]:
    """The resolution text, the round's item ids and the approved ones, checked as a decision
    (first or revised) needs them."""
    resolution = (resolution or "").strip()
    if not resolution:
        raise DomainError(_("请填写议事组的决议内容。"))
    if len(resolution) > 4000:
        raise DomainError(_("决议内容不能超过 4000 个字。"))
    items = {i["id"] for i in await wishlists.items_of(round_.id)}
    approved = set(approved_ids)
    if not approved <= items:
        raise DomainError(_("提交的项目不在本次清单上，请刷新页面后重试。"))
    if not approved:
        raise DomainError(_("请至少选择一项通过的项目。"))
    return resolution, items, approved


async def record_decision(round_: wishlists.RoundView, approved_ids: list[int], resolution: str,
                          *, actor: Any, meeting_id: int | None, departure_reason: str = "") -> None:
    """The intent list: the approved items and the resolution. Only a quorate 民主议事定方向
    meeting on this round, under way, may record it (decide, after the members' votes):
    without a quorum the meeting records no decision, and there is no decision without a meeting.
    A 复议 meeting (one that reconsiders a returned list) replaces the round's decision instead."""
    m = await _ensure_deciding_meeting(round_, meeting_id)
    if m.revises is not None:
        await _record_revision(round_, m, approved_ids, resolution, actor=actor, departure_reason=departure_reason)
        return
    if round_.status is RoundStatus.decided:
        raise Conflict(_("本批次已经形成决议，不能重复记录。"))
    if round_.status is not RoundStatus.counted:
        raise Conflict(_("群众勾选结束后才能记录议事决定。"))
    resolution, items, approved = await checked_outcome(round_, approved_ids, resolution)
    async with Decision._meta.db.transaction():
        if not await wishlists.set_status(round_.id, RoundStatus.counted, RoundStatus.decided):
            raise Conflict(_("本批次的状态已被他人更改，请刷新页面。"))
        decision = await Decision.insert(
            Decision(round=round_.id, resolution=resolution, decided_by=getattr(actor, "id", None),
                     decided_at=datetime.now(UTC), meeting=meeting_id,
                     departure_reason=(departure_reason or "").strip())
        ).returning(Decision.id).run()
        decision_id = decision[0]["id"]
        await DecisionItem.insert(
            *[DecisionItem(decision=decision_id, item=i, approved=i in approved) for i in sorted(items)]
        ).run()
        await audit.record("meeting.decision.recorded", actor=actor, object_type="round",
                           object_id=round_.id, approved=sorted(approved), meeting_id=meeting_id)


async def _ensure_deciding_meeting(round_: wishlists.RoundView, meeting_id: int | None):
    if meeting_id is None:
        raise not_from_meeting()
    m = await meeting.get_meeting(meeting_id)
    if m.step is not MeetingStep.decide or m.round_id != round_.id:
        raise not_from_meeting()
    meeting.ensure_open(m)
    s = await meeting.state(m)
    if not s.quorum.met:
        raise meeting.no_quorum(s.quorum, m.rules)
    return m


async def _record_revision(round_: wishlists.RoundView, m: Any, approved_ids: list[int], resolution: str, *,
                           actor: Any, departure_reason: str) -> None:
    """复议: the council's new decision on a returned list. The decision it replaces is kept in
    decision_history as it was; the round stays 已形成意愿清单 and the street submits the new
    list as the next version."""
    current = await desk.ensure_revision_open(m, round_)
    resolution, items, approved = await checked_outcome(round_, approved_ids, resolution)
    earlier = await DecisionHistory.count().where(DecisionHistory.round == round_.id)
    now = datetime.now(UTC)
    try:
        async with Decision._meta.db.transaction():
            await DecisionHistory.insert(DecisionHistory(
                round=round_.id, meeting=current["meeting"], resolution=current["resolution"],
                departure_reason=current["departure_reason"], approved=sorted(current["approved"]),
                decided_by=current["decided_by"], decided_at=current["decided_at"], superseded_at=now,
                slot=f"{round_.id}:{earlier + 1}")).run()
            await Decision.update({Decision.resolution: resolution, Decision.meeting: m.id,
                                   Decision.departure_reason: (departure_reason or "").strip(),
                                   Decision.decided_by: getattr(actor, "id", None), Decision.decided_at: now}
                                  ).where(Decision.id == current["id"])
            for item in sorted(items):
                await DecisionItem.update({DecisionItem.approved: item in approved}).where(
                    (DecisionItem.decision == current["id"]) & (DecisionItem.item == item))
    except Exception as exc:
        if db.is_unique_violation(exc):
            raise Conflict(_("本批次的意愿清单刚刚已由另一次复议会议修改，请刷新页面。")) from exc
        raise
    await audit.record("meeting.decision.revised", actor=actor, object_type="round", object_id=round_.id,
                       approved=sorted(approved), meeting_id=m.id, revises_submission=m.revises,
                       replaced_meeting_id=current["meeting"])
