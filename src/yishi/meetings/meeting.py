"""A 5+X council meeting: plan it, sign in, vote per item, close the minutes (the decision the
votes lead to is made by decisions.decide, above this module).

Each transition checks the state it starts from and raises a DomainError in Chinese; nothing
is written when a check fails. Quorum and majority come from meetings.rules (pure)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from yishi.core import audit, db
from yishi.core.errors import Conflict, DomainError, NotFound
from yishi.core.i18n import _, ngettext
from yishi.meetings import desk, records, rules
from yishi.meetings.enums import MeetingStatus, MeetingStep, MemberCategory, Presence, VoteChoice
from yishi.meetings.tables import AgendaItem, Attendance, Council, CouncilMember, Guest, Meeting, MemberVote
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus

MAX_AGENDA = 30
MAX_GUESTS = 30
DEFAULT_RULES = rules.Rules()  # the standard rules (frozen), for callers that have no council at hand


@dataclass(frozen=True)
class MeetingView:
    id: int
    council_id: int
    council_name: str
    town_id: int
    district_id: int
    round_id: int | None
    step: MeetingStep
    title: str
    held_at: datetime
    place: str
    convener_id: int | None
    convener_name: str
    status: MeetingStatus
    started_at: datetime | None
    closed_at: datetime | None
    rules: rules.Rules
    revises: int | None = None  # 复议: the returned submission this meeting reconsiders


def _view_select():
    return Meeting.select(
        *Meeting.all_columns(),
        Meeting.council.name.as_alias("council_name"),
        Meeting.council.town.as_alias("town_id"),
        Meeting.council.town.district.as_alias("district_id"),
        Meeting.council.quorum_share_pct.as_alias("q_pct"),
        Meeting.council.quorum_all_fixed.as_alias("q_fixed"),
        Meeting.council.pass_share_pct.as_alias("p_pct"),
        Meeting.convener.display_name.as_alias("convener_name"),
    )


def _view(row: dict) -> MeetingView:
    return MeetingView(
        id=row["id"], council_id=row["council"], council_name=row["council_name"], town_id=row["town_id"],
        district_id=row["district_id"], round_id=row["round"], step=MeetingStep(row["step"]), title=row["title"],
        held_at=row["held_at"], place=row["place"], convener_id=row["convener"],
        convener_name=row["convener_name"] or "", status=MeetingStatus(row["status"]),
        started_at=row["started_at"], closed_at=row["closed_at"],
        rules=rules.Rules(row["q_pct"], bool(row["q_fixed"]), row["p_pct"]), revises=row["revises"],
    )


async def get_meeting(meeting_id: int) -> MeetingView:
    row = await _view_select().where(Meeting.id == meeting_id).first().run()
    if row is None:
        raise NotFound(_("找不到这次会议。"))
    return _view(row)


async def quorums_of_round(round_id: int, step: MeetingStep) -> list[tuple[MeetingView, rules.Quorum]]:
    """The round's meetings of one step, each with its quorum as state() computes it, in three
    queries whatever their number: the round page lists them all."""
    views = [_view(r) for r in await _view_select().where(
        (Meeting.round == round_id) & (Meeting.step == step.value)).order_by(Meeting.held_at).run()]
    if not views:
        return []
    members: dict[int, dict[int, str]] = {}
    for row in await CouncilMember.select(CouncilMember.id, CouncilMember.council, CouncilMember.category).where(
            CouncilMember.council.is_in(list({v.council_id for v in views}))
            & (CouncilMember.active == True)).run():  # noqa: E712
        members.setdefault(row["council"], {})[row["id"]] = row["category"]
    present: dict[int, list[int]] = {}
    for row in await Attendance.select(Attendance.meeting, Attendance.member).where(
            Attendance.meeting.is_in([v.id for v in views])
            & (Attendance.presence == Presence.present.value)).run():
        present.setdefault(row["meeting"], []).append(row["member"])
    return [(v, rules.quorum(members.get(v.council_id, {}), present.get(v.id, []), v.rules)) for v in views]


async def meetings_of_council(council_id: int) -> list[dict]:
    return await Meeting.select(*Meeting.all_columns(), Meeting.round.title.as_alias("round_title")).where(
        Meeting.council == council_id).order_by(Meeting.held_at, ascending=False).run()


async def next_meeting(council_id: int) -> dict | None:
    """The meeting a member should go to next: one under way, else the soonest still planned."""
    rows = await Meeting.select(Meeting.id, Meeting.title, Meeting.status, Meeting.held_at).where(
        (Meeting.council == council_id) & Meeting.status.is_in([MeetingStatus.open.value, MeetingStatus.planned.value])
    ).order_by(Meeting.held_at).run()
    under_way = [r for r in rows if r["status"] == MeetingStatus.open.value]
    return next(iter(under_way or rows), None)


async def meetings_of_round(round_id: int) -> list[dict]:
    return await Meeting.select().where(Meeting.round == round_id).order_by(Meeting.held_at).run()


async def number_of(meeting: MeetingView) -> int:
    """第 N 期: the meeting's place among its council's meetings that year, by date."""
    year_start = datetime(meeting.held_at.year, 1, 1, tzinfo=UTC)
    earlier = await Meeting.count().where(
        (Meeting.council == meeting.council_id) & (Meeting.held_at >= year_start)
        & ((Meeting.held_at < meeting.held_at) | ((Meeting.held_at == meeting.held_at) & (Meeting.id < meeting.id))))
    return earlier + 1


def checked_text(value: str, what: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("请填写{what}。").format(what=what))
    if len(value) > limit:
        raise DomainError(_("{what}不能超过 {n} 个字。").format(what=what, n=limit))
    return value


async def create_meeting(council_id: int, *, step: MeetingStep, title: str, held_at: datetime, place: str,
                         round_id: int | None, actor: Any) -> int:
    title = checked_text(title, _("会议名称"), 80)
    place = checked_text(place, _("会议地点"), 80)
    council = await Council.select(Council.town).where(Council.id == council_id).first().run()
    if council is None:
        raise NotFound(_("找不到议事组。"))
    revises = None
    if round_id is not None:
        round_ = await wishlists.get_round(round_id)
        if round_.town_id != council["town"]:
            raise DomainError(_("所选批次不属于本镇（街道）。"))
        if step is MeetingStep.decide:  # on a decided round: a 复议 of the returned list, or refused
            revises = await desk.revision_target(round_)
    elif step is MeetingStep.decide:
        raise DomainError(_("“民主议事定方向”会议要选择所议定的批次。"))
    row = Meeting(council=council_id, round=round_id, step=step, title=title, held_at=held_at, place=place,
                  convener=getattr(actor, "id", None), status=MeetingStatus.planned,
                  created_at=datetime.now(UTC), revises=revises)
    await row.save()
    await audit.record("meeting.created", actor=actor, object_type="meeting", object_id=row.id,
                       step=step.value, round_id=round_id, revises=revises)
    return row.id


# --- state guards -------------------------------------------------------------------------

def ensure_not_closed(m: MeetingView) -> None:
    if m.status is MeetingStatus.closed:
        raise Conflict(_("会议纪要已定稿，不能再修改。"))


def ensure_planned(m: MeetingView) -> None:
    ensure_not_closed(m)
    if m.status is not MeetingStatus.planned:
        raise Conflict(_("会议已经开始，议程不能再修改。"))


def ensure_open(m: MeetingView) -> None:
    ensure_not_closed(m)
    if m.status is not MeetingStatus.open:
        raise Conflict(_("会议还没有开始，请召集人先点“开始会议”。"))


async def _move(m: MeetingView, expected: MeetingStatus, new: MeetingStatus, **stamps: Any) -> None:
    values: dict[Any, Any] = {Meeting.status: new}
    values.update({getattr(Meeting, k): v for k, v in stamps.items()})
    changed = await Meeting.update(values).where(
        (Meeting.id == m.id) & (Meeting.status == expected)).returning(Meeting.id).run()
    if not changed:
        raise Conflict(_("会议状态已被他人更改，请刷新页面。"))


# --- agenda -------------------------------------------------------------------------------

async def agenda_of(meeting_id: int) -> list[dict]:
    return await AgendaItem.select().where(AgendaItem.meeting == meeting_id).order_by(
        AgendaItem.position).order_by(AgendaItem.id).run()


async def add_agenda_item(m: MeetingView, title: str, *, actor: Any) -> int:
    ensure_planned(m)
    title = checked_text(title, _("议程内容"), 120)
    count = await AgendaItem.count().where(AgendaItem.meeting == m.id)
    if count >= MAX_AGENDA:
        raise DomainError(_("一次会议最多 {n} 项议程。").format(n=MAX_AGENDA))
    last = await AgendaItem.select(AgendaItem.position).where(AgendaItem.meeting == m.id).order_by(
        AgendaItem.position, ascending=False).first().run()
    item = AgendaItem(meeting=m.id, position=(last["position"] if last else 0) + 1, title=title)
    await item.save()
    await audit.record("meeting.agenda.added", actor=actor, object_type="meeting", object_id=m.id, title=title)
    return item.id


async def remove_agenda_item(m: MeetingView, item_id: int, *, actor: Any) -> None:
    ensure_planned(m)
    gone = await AgendaItem.delete().where((AgendaItem.id == item_id) & (AgendaItem.meeting == m.id)).returning(
        AgendaItem.id).run()
    if not gone:
        raise NotFound(_("议程中没有这一项。"))
    await audit.record("meeting.agenda.removed", actor=actor, object_type="meeting", object_id=m.id, item_id=item_id)


async def move_agenda_item(m: MeetingView, item_id: int, up: bool, *, actor: Any) -> None:
    """Swap an item with its neighbour; positions are renumbered 1..n so they stay dense."""
    ensure_planned(m)
    items = await agenda_of(m.id)
    ids = [i["id"] for i in items]
    if item_id not in ids:
        raise NotFound(_("议程中没有这一项。"))
    at = ids.index(item_id)
    other = at - 1 if up else at + 1
    if 0 <= other < len(ids):
        ids[at], ids[other] = ids[other], ids[at]
    async with AgendaItem._meta.db.transaction():
        for pos, i in enumerate(ids, 1):
            await AgendaItem.update({AgendaItem.position: pos}).where(AgendaItem.id == i)
    await audit.record("meeting.agenda.moved", actor=actor, object_type="meeting", object_id=m.id, order=ids)


async def save_notes(m: MeetingView, item_id: int, notes: str, *, actor: Any) -> None:
    ensure_not_closed(m)
    notes = checked_text(notes, _("议程记录"), 4000, required=False)
    done = await AgendaItem.update({AgendaItem.notes: notes}).where(
        (AgendaItem.id == item_id) & (AgendaItem.meeting == m.id)).returning(AgendaItem.id).run()
    if not done:
        raise NotFound(_("议程中没有这一项。"))
    await audit.record("meeting.notes.saved", actor=actor, object_type="meeting", object_id=m.id, item_id=item_id)


async def start(m: MeetingView, *, actor: Any) -> None:
    ensure_planned(m)
    await _move(m, MeetingStatus.planned, MeetingStatus.open, started_at=datetime.now(UTC))
    await audit.record("meeting.started", actor=actor, object_type="meeting", object_id=m.id)


async def close_minutes(m: MeetingView, *, actor: Any) -> None:
    ensure_open(m)
    await _move(m, MeetingStatus.open, MeetingStatus.closed, closed_at=datetime.now(UTC))
    await audit.record("meeting.minutes.closed", actor=actor, object_type="meeting", object_id=m.id)


# --- attendance and guests ----------------------------------------------------------------

async def member_of(m: MeetingView, member_id: int) -> dict:
    row = await CouncilMember.select().where(
        (CouncilMember.id == member_id) & (CouncilMember.council == m.council_id)
        & (CouncilMember.active == True)).first().run()  # noqa: E712
    if row is None:
        raise DomainError(_("此人不是本议事组的在任成员。"), 403)
    return row


async def member_of_user(m: MeetingView, user_id: int) -> dict | None:
    return await CouncilMember.select().where(
        (CouncilMember.user == user_id) & (CouncilMember.council == m.council_id)
        & (CouncilMember.active == True)).first().run()  # noqa: E712


async def set_presence(m: MeetingView, member_id: int, presence: Presence, *, actor: Any,
                       self_signed: bool = False) -> None:
    ensure_not_closed(m)
    await member_of(m, member_id)
    slot = f"{m.id}:{member_id}"
    existing = await Attendance.select().where(Attendance.slot == slot).first().run()
    if existing and self_signed and existing["presence"] == Presence.present.value:
        raise Conflict(_("您已经签到过了。"))
    if existing and presence is Presence.leave and await MemberVote.exists().where(
            (MemberVote.meeting == m.id) & (MemberVote.member == member_id)):
        raise Conflict(_("这位成员已经参加表决，不能改为请假。"))
    now = datetime.now(UTC)
    if existing:
        await Attendance.update({Attendance.presence: presence, Attendance.self_signed: self_signed,
                                 Attendance.recorded_at: now}).where(Attendance.slot == slot)
    else:
        await Attendance.insert(Attendance(meeting=m.id, member=member_id, presence=presence,
                                           self_signed=self_signed, recorded_at=now, slot=slot)).run()
    await audit.record("meeting.attendance.signed_in" if self_signed else "meeting.attendance.marked",
                       actor=actor, object_type="meeting", object_id=m.id, member_id=member_id,
                       presence=presence.value)


async def add_guest(m: MeetingView, *, name: str, organisation: str, reason: str, actor: Any) -> int:
    ensure_not_closed(m)
    name = checked_text(name, _("列席人员姓名"), 40)
    organisation = checked_text(organisation, _("单位"), 80, required=False)
    reason = checked_text(reason, _("邀请事由"), 200, required=False)
    if await Guest.count().where(Guest.meeting == m.id) >= MAX_GUESTS:
        raise DomainError(_("一次会议最多 {n} 位列席人员。").format(n=MAX_GUESTS))
    guest = Guest(meeting=m.id, name=name, organisation=organisation, reason=reason)
    await guest.save()
    await audit.record("meeting.guest.added", actor=actor, object_type="meeting", object_id=m.id, name=name)
    return guest.id


# --- the state of a meeting, as the page and the minutes show it --------------------------

@dataclass
class State:
    members: list[dict]
    presence: dict[int, str]  # member id -> presence value
    guests: list[dict]
    quorum: rules.Quorum
    agenda: list[dict]
    votes: dict[int, dict[int, str]] = field(default_factory=dict)  # item -> member -> choice
    counts: dict[int, rules.Count] = field(default_factory=dict)

    @property
    def present_ids(self) -> set[int]:
        return {m for m, p in self.presence.items() if p == Presence.present.value}

    def by_category(self, presence: str) -> list[tuple[MemberCategory, list[dict]]]:
        out = []
        for cat in MemberCategory:
            people = [x for x in self.members if x["category"] == cat.value and self.presence.get(x["id"]) == presence]
            if people:
                out.append((cat, people))
        return out


async def state(m: MeetingView) -> State:
    members = await records.members_of(m.council_id)
    presence = {r["member"]: r["presence"] for r in await Attendance.select(Attendance.member, Attendance.presence)
                .where(Attendance.meeting == m.id).run()}
    q = rules.quorum({x["id"]: x["category"] for x in members},
                     [i for i, p in presence.items() if p == Presence.present.value], m.rules)
    s = State(members=members, presence=presence, quorum=q, agenda=await agenda_of(m.id),
              guests=await Guest.select().where(Guest.meeting == m.id).order_by(Guest.id).run())
    for v in await MemberVote.select(MemberVote.item, MemberVote.member, MemberVote.choice).where(
            MemberVote.meeting == m.id).run():
        s.votes.setdefault(v["item"], {})[v["member"]] = v["choice"]
    if m.round_id is not None:
        for item in await wishlists.items_of(m.round_id):
            s.counts[item["id"]] = rules.count_votes(s.votes.get(item["id"], {}).values(), q.present, m.rules)
    return s


def quorum_reason(q: rules.Quorum, r: rules.Rules = DEFAULT_RULES) -> str:
    """Why a meeting is not quorate, in one sentence a convener can act on."""
    parts = []
    if q.missing:
        parts.append(_("固定类别缺席：{c}").format(c="、".join(c.label for c in q.missing)))
    if q.present < q.needed:
        share = _("半数") if r.quorum_share_pct == 50 else f"{r.quorum_share_pct}%"
        parts.append(ngettext(
            "到会成员 {p} 人，需超过{share}即至少 {n} 人",
            "到会成员 {p} 人，需超过{share}即至少 {n} 人", q.present).format(p=q.present, share=share, n=q.needed))
    if not q.members:
        parts.append(_("议事组还没有成员"))
    return "\uff1b".join(parts)


def quorum_basis(q: rules.Quorum, r: rules.Rules) -> str:
    """What a quorate meeting met, by the council's rules: the head count, and the five fixed
    categories only when that rule is on."""
    text = _("已达到法定人数：应到 {m} 人，实到 {p} 人（需至少 {n} 人）").format(m=q.members, p=q.present, n=q.needed)
    return text + (_("，五类固定成员齐全。") if r.quorum_all_fixed else "。")


def no_quorum(q: rules.Quorum, r: rules.Rules = DEFAULT_RULES) -> Conflict:
    return Conflict(_("未达到法定人数，不能表决或形成决议（{why}）。").format(why=quorum_reason(q, r)))


# --- votes and the decision ---------------------------------------------------------------

async def ready_to_vote(m: MeetingView) -> tuple[wishlists.RoundView, State]:
    ensure_open(m)
    if m.step is not MeetingStep.decide or m.round_id is None:
        raise Conflict(_("这次会议是“民主恳谈交清单”，不对项目表决。"))
    round_ = await wishlists.get_round(m.round_id)
    if m.revises is not None:  # 复议: only while the list it reconsiders is returned and not yet revised
        await desk.ensure_revision_open(m, round_)
    elif round_.status is RoundStatus.decided:
        raise Conflict(_("本批次已经形成决议，不能再表决。"))
    elif round_.status is not RoundStatus.counted:
        raise Conflict(_("群众勾选结束后才能表决。"))
    s = await state(m)
    if not s.quorum.met:
        raise no_quorum(s.quorum, m.rules)
    return round_, s


async def record_votes(m: MeetingView, item_id: int, choices: dict[int, VoteChoice], *, actor: Any,
                       by_self: bool = False) -> None:
    """Votes on one item, all or nothing: a show of hands recorded by the convener, or one
    member's own vote. A member who already voted on the item is refused (the unique slot
    enforces it in the database too), and so is anyone not present."""
    _round, s = await ready_to_vote(m)
    if item_id not in s.counts:
        raise DomainError(_("该项目不在本批次清单上，请刷新页面后重试。"))
    if not choices:
        raise DomainError(_("请至少为一位到会成员选择赞成、反对或弃权。"))
    known = {x["id"]: x for x in s.members}
    for member_id in choices:
        if member_id not in known:
            raise DomainError(_("此人不是本议事组的在任成员，不能表决。"), 403)
        if member_id not in s.present_ids:
            raise DomainError(_("{name}没有签到出席，不能表决。").format(name=known[member_id]["name"]), 403)
        if member_id in s.votes.get(item_id, {}):
            raise Conflict(_("{name}已经对该项表决过，每人每项只能表决一次。").format(name=known[member_id]["name"]))
    now = datetime.now(UTC)
    rows = [MemberVote(meeting=m.id, item=item_id, member=mid, choice=c, by_self=by_self,
                       recorded_by=getattr(actor, "id", None), recorded_at=now, slot=f"{m.id}:{item_id}:{mid}")
            for mid, c in sorted(choices.items())]
    try:
        async with MemberVote._meta.db.transaction():
            await MemberVote.insert(*rows).run()
    except Exception as exc:
        if db.is_unique_violation(exc):
            raise Conflict(_("已经对该项表决过，每人每项只能表决一次。")) from exc
        raise
    await audit.record("meeting.vote.recorded", actor=actor, object_type="meeting", object_id=m.id,
                       item_id=item_id, by_self=by_self, counts={c.value: list(choices.values()).count(c)
                                                                 for c in VoteChoice})
