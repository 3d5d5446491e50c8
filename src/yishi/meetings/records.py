"""The council (5+X组), its members and rules, and the reads of its decisions on a round: the
intent list, the current decision, the ones a 复议 replaced, the decision support. Below meeting.py
and desk.py, which read these; making a decision is in decisions.py, above them."""
from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from yishi.accounts.tables import User
from yishi.ballots import casting as ballots
from yishi.ballots.casting import Tally
from yishi.ballots.rules import Election, greedy, mes
from yishi.core import audit
from yishi.core.errors import Conflict, DomainError
from yishi.core.i18n import _
from yishi.meetings.enums import FIXED_CATEGORIES, MemberCategory
from yishi.meetings.tables import Council, CouncilMember, Decision, DecisionHistory, DecisionItem, Meeting
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import ItemKind


async def council_of_town(town_id: int) -> dict | None:
    return await Council.select().where(Council.town == town_id).first().run()


CATEGORY_ORDER = {c.value: i for i, c in enumerate(MemberCategory)}


async def members_of(council_id: int) -> list[dict]:
    rows = (
        await CouncilMember.select(*CouncilMember.all_columns(), CouncilMember.user.username.as_alias("username"))
        .where((CouncilMember.council == council_id) & (CouncilMember.active == True))  # noqa: E712
        .order_by(CouncilMember.id)
        .run()
    )
    # The standard order (1–5, then X), not the codes' alphabetical one.
    return sorted(rows, key=lambda m: CATEGORY_ORDER.get(m["category"], len(CATEGORY_ORDER)))


def missing_categories(categories: list[str]) -> list[MemberCategory]:
    """The fixed categories with nobody in them: a council (or meeting) lacking any is not 5+X."""
    present = {MemberCategory(c) for c in categories}
    return [c for c in FIXED_CATEGORIES if c not in present]


async def add_member(council_id: int, *, name: str, category: MemberCategory, organisation: str = "",
                     actor: Any = None, term_start: date | None = None, term_end: date | None = None,
                     contact: str = "", user_id: int | None = None) -> int:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写成员姓名。"))
    if len(name) > 40:
        raise DomainError(_("成员姓名不能超过 40 个字。"))
    if term_start and term_end and term_end < term_start:
        raise DomainError(_("任期结束日期不能早于开始日期。"))
    if len(contact or "") > 60 or len(organisation or "") > 80:
        raise DomainError(_("单位或联系方式太长，请精简后再提交。"))
    if user_id is not None:
        await _check_linkable(council_id, user_id)
    member = CouncilMember(council=council_id, name=name, category=category,
                           organisation=(organisation or "").strip(), term_start=term_start,
                           term_end=term_end, contact=(contact or "").strip(), user=user_id)
    await member.save()
    await audit.record("meeting.council.member_added", actor=actor, object_type="council",
                       object_id=council_id, name=name, category=category.value)
    return member.id


# Accounts that may sit on a street's council: its own people (the account's street decides).
COUNCIL_ROLES = ("street_staff", "convener", "member")


async def _check_linkable(council_id: int, user_id: int) -> None:
    council = await Council.select(Council.town).where(Council.id == council_id).first().run()
    account = await User.select(User.town, User.role, User.active).where(User.id == user_id).first().run()
    if account is None or council is None or account["town"] != council["town"] \
            or account["role"] not in COUNCIL_ROLES or not account["active"]:
        raise DomainError(_("只能关联本镇（街道）在用的议事组成员、召集人或工作人员账号。"))
    if await CouncilMember.exists().where((CouncilMember.council == council_id) & (CouncilMember.user == user_id)
                                          & (CouncilMember.active == True)):  # noqa: E712
        raise Conflict(_("这个账号已经关联了议事组的另一位成员。"))


async def linkable_accounts(council_id: int, town_id: int) -> list[dict]:
    """The street's accounts a member could be linked to: active, of a council role, not yet linked."""
    linked = await CouncilMember.select(CouncilMember.user).where(
        (CouncilMember.council == council_id) & (CouncilMember.active == True)  # noqa: E712
        & CouncilMember.user.is_not_null()).run()
    taken = {row["user"] for row in linked}
    rows = await User.select(User.id, User.username, User.display_name, User.role).where(
        (User.town == town_id) & (User.active == True) & User.role.is_in(list(COUNCIL_ROLES))  # noqa: E712
    ).order_by(User.display_name).run()
    return [r for r in rows if r["id"] not in taken]


async def link_account(council_id: int, member_id: int, user_id: int | None, *, actor: Any = None) -> None:
    """Link a member on the roster to her account (she signs in and votes with it), or unlink (None)."""
    member = await CouncilMember.select(CouncilMember.id).where(
        (CouncilMember.id == member_id) & (CouncilMember.council == council_id)
        & (CouncilMember.active == True)).first().run()  # noqa: E712
    if member is None:
        raise DomainError(_("找不到这位成员。"))
    if user_id is not None:
        await _check_linkable(council_id, user_id)
    await CouncilMember.update({CouncilMember.user: user_id}).where(CouncilMember.id == member_id).run()
    await audit.record("meeting.council.member_linked", actor=actor, object_type="council", object_id=council_id,
                       member=member_id, user=user_id)


@dataclass
class IntentList:
    """Everything the district's PDF shows, gathered once."""

    round: wishlists.RoundView
    council_name: str
    resolution: str
    decided_at: datetime
    items: list[dict]  # approved items: title, description, cost_fen, kind, approvals
    ballots: int
    codes_issued: int
    decision: dict  # the round's Decision row, and the whole count (every item, per community):
    tally: Tally  # the 会议纪要 dossier reads both too
    total_fen: int = 0
    by_kind: dict[ItemKind, int] = field(default_factory=dict)
    members: list[dict] = field(default_factory=list)


async def intent_list(round_id: int) -> IntentList:
    round_ = await wishlists.get_round(round_id)
    decision = await Decision.select().where(Decision.round == round_id).first().run()
    if decision is None:
        raise Conflict(_("本批次尚未形成议事决定，还不能导出意愿清单。"))
    approved = {
        r["item"]
        for r in await DecisionItem.select(DecisionItem.item)
        .where((DecisionItem.decision == decision["id"]) & (DecisionItem.approved == True))  # noqa: E712
        .run()
    }
    counted = await ballots.tally(round_id)
    items = []
    for item in await wishlists.items_of(round_id):
        if item["id"] in approved:
            items.append({**item, "kind": ItemKind(item["kind"]), "approvals": counted.approvals.get(item["id"], 0)})
    council = await council_of_town(round_.town_id)
    by_kind = {kind: sum(1 for i in items if i["kind"] is kind) for kind in ItemKind}
    return IntentList(
        round=round_,
        council_name=council["name"] if council else "",
        resolution=decision["resolution"],
        decided_at=decision["decided_at"],
        items=items,
        ballots=counted.ballots,
        codes_issued=counted.codes_issued,
        total_fen=sum(i["cost_fen"] for i in items),
        by_kind=by_kind,
        members=await members_of(council["id"]) if council else [],
        decision=decision,
        tally=counted,
    )


async def decision_of(round_id: int) -> dict | None:
    """The round's current decision, its approved item ids, the meeting that made it, and how
    many earlier decisions a 复议 replaced (`revisions`, 0 for a first decision)."""
    decision = await Decision.select(
        *Decision.all_columns(), Decision.meeting.title.as_alias("meeting_title"),
        Decision.meeting.held_at.as_alias("meeting_held_at"),
    ).where(Decision.round == round_id).first().run()
    if decision is None:
        return None
    rows = await DecisionItem.select(DecisionItem.item, DecisionItem.approved).where(
        DecisionItem.decision == decision["id"]
    )
    decision["approved"] = {r["item"] for r in rows if r["approved"]}
    decision["revisions"] = await DecisionHistory.count().where(DecisionHistory.round == round_id)
    return decision


async def decisions_of_round(round_id: int) -> list[dict]:
    """Every decision the council made on the round, oldest first: the ones a 复议 replaced, then
    the current one (`current` True). Each with its meeting's title and date when it had one."""
    out = []
    for row in await DecisionHistory.select(
            *DecisionHistory.all_columns(), DecisionHistory.meeting.title.as_alias("meeting_title"),
            DecisionHistory.meeting.held_at.as_alias("meeting_held_at"),
            DecisionHistory.meeting.revises.as_alias("meeting_revises"),
    ).where(DecisionHistory.round == round_id).order_by(DecisionHistory.id).run():
        approved = row["approved"]
        if isinstance(approved, str):
            approved = json.loads(approved)
        out.append({**row, "approved": set(approved), "current": False})
    current = await decision_of(round_id)
    if current is not None:
        revises = None
        if current["meeting"] is not None:
            m = await Meeting.select(Meeting.revises).where(Meeting.id == current["meeting"]).first().run()
            revises = m["revises"] if m else None
        out.append({**current, "meeting_revises": revises, "current": True})
    return out


async def decision_made_in(meeting_id: int) -> dict | None:
    """The decision this meeting made, current or since replaced by a 复议, if it made one."""
    current = await Decision.select().where(Decision.meeting == meeting_id).first().run()
    if current is not None:
        return current
    return await DecisionHistory.select().where(DecisionHistory.meeting == meeting_id).first().run()


async def retire_member(council_id: int, member_id: int, *, actor: Any = None) -> None:
    """A member leaves the council; past attendance and votes keep their name."""
    changed = (
        await CouncilMember.update({CouncilMember.active: False})
        .where((CouncilMember.id == member_id) & (CouncilMember.council == council_id)
               & (CouncilMember.active == True))  # noqa: E712
        .returning(CouncilMember.id)
        .run()
    )
    if not changed:
        raise DomainError(_("找不到这位成员，或已经离任。"), 404)
    await audit.record("meeting.council.member_retired", actor=actor, object_type="council",
                       object_id=council_id, member_id=member_id)


async def set_rules(council_id: int, *, quorum_share_pct: int, quorum_all_fixed: bool, pass_share_pct: int,
                    actor: Any = None) -> None:
    for value in (quorum_share_pct, pass_share_pct):
        if not 0 <= value <= 99:
            raise DomainError(_("比例应为 0 到 99 之间的整数（表示“超过百分之几”）。"))
    await Council.update({Council.quorum_share_pct: quorum_share_pct, Council.quorum_all_fixed: quorum_all_fixed,
                          Council.pass_share_pct: pass_share_pct}).where(Council.id == council_id)
    await audit.record("meeting.council.rules_changed", actor=actor, object_type="council", object_id=council_id,
                       quorum_share_pct=quorum_share_pct, quorum_all_fixed=quorum_all_fixed,
                       pass_share_pct=pass_share_pct)


# --- decision support: the residents' ballots as an approval election ------------------------

@dataclass(frozen=True)
class Support:
    """What the council sees before it votes: the two rules' picks and the items over budget."""

    greedy: list[int]
    mes: list[int]
    over_budget: set[int]
    greedy_total: int
    mes_total: int


# MES picks by the election's content (costs, budget, ballots): a pure function, remembered. MES on a
# real round (33 items, 620 ballots) takes seconds, and the meeting page, and every member's vote
# answered by htmx, would redo it while the council's ballots no longer change.
_MES_CACHE: dict[str, list[int]] = {}


def _election_key(election: Election) -> str:
    content = [sorted((p, str(pr.cost)) for p, pr in election.projects.items()), str(election.budget),
               sorted(sorted(b) for b in election.ballots), election.weights]
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()


async def decision_support(round_id: int) -> Support:
    """Greedy and MES on the round's ballots, read by ballots.election_of_round: costs and budget
    in yuan (exact), the unit in which Pabulib defines the Add1 completion (+1 per voter each
    step). In fen, Add1 would take a hundred times as many steps, and could pick differently."""
    election = await ballots.election_of_round(round_id)
    cost_fen = {i["id"]: i["cost_fen"] for i in await wishlists.items_of(round_id)}
    budget_fen = (await wishlists.get_round(round_id)).budget_fen
    picked_greedy = [int(p) for p in greedy(election)]
    picked_mes: list[int] = []
    if election.ballots:
        key = _election_key(election)
        if key not in _MES_CACHE:
            # In a worker thread: the server keeps answering other requests meanwhile.
            picks = [int(p) for p in await asyncio.to_thread(mes, election)]
            if len(_MES_CACHE) >= 64:
                _MES_CACHE.clear()
            _MES_CACHE[key] = picks
        picked_mes = list(_MES_CACHE[key])
    return Support(
        greedy=picked_greedy, mes=picked_mes,
        over_budget={i for i, c in cost_fen.items() if c > budget_fen},
        greedy_total=sum(cost_fen[i] for i in picked_greedy), mes_total=sum(cost_fen[i] for i in picked_mes),
    )
