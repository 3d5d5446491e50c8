"""Paper ballots: each returned ballot is entered twice, by two different people.

The first entry spends the code for the paper channel (the same conditional UPDATE the online
path uses, so a code votes once across both channels, whoever is first). When the second entry
agrees, the ticks become an ordinary Ballot with no code; when it differs, the ballot is held
for a supervisor, who sees both entries. Once decided, the entries' ticks are erased here, so
nothing stored links the code to how it voted any longer.

After the round's closing time, the paper ballots handed in by then are still entered (and held
ones decided) until staff confirm the entry and the round is counted (round_settings explains
the rule); every entry after the closing time says so in the audit trail. Each entry and each
decision holds the round while it writes (_hold_voting), so none can slip in after the count.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from piccolo.columns import Column
from piccolo.engine.postgres import PostgresEngine
from piccolo.query.functions.aggregate import Count

from yishi.ballots import codes, round_settings
from yishi.ballots import permissions as bperm
from yishi.ballots.casting import check_choices, spent_day
from yishi.ballots.tables import Ballot, BallotChoice, BallotCode, PaperBallot
from yishi.core import audit, db
from yishi.core.errors import Conflict, DomainError, Forbidden, NotFound
from yishi.core.i18n import _, ngettext
from yishi.wishlists.enums import RoundStatus
from yishi.wishlists.tables import Round, WishItem

SPOILED = "-"
PENDING, CONFLICT, COUNTED, SPOILT = "pending", "conflict", "counted", "spoiled"


def encode(item_ids: list[int], spoiled: bool) -> str:
    return SPOILED if spoiled else ",".join(str(i) for i in sorted(set(item_ids)))


def decode(entry: str) -> list[int] | None:
    """None for a ballot entered as spoiled."""
    if entry == SPOILED:
        return None
    return [int(i) for i in entry.split(",") if i]


@dataclass(frozen=True)
class Outcome:
    status: str  # pending (first entry done), counted, spoiled, conflict
    code: str


async def _code_row(code: str) -> dict:
    row = await BallotCode.select(
        BallotCode.id, BallotCode.round, BallotCode.community, BallotCode.used_at, BallotCode.channel,
        BallotCode.round.status.as_alias("status"), BallotCode.round.town.as_alias("town"),
        BallotCode.round.max_ticks.as_alias("max_ticks"),
    ).where(BallotCode.code == code).first()
    if row is None:
        raise NotFound(_("没有找到这个选票码，请核对纸质选票上印的选票码。"))
    return row


async def _hold_voting(round_id: int) -> None:
    """Inside an entry's transaction: the round must still be voting (counting not done). On
    PostgreSQL the row is held FOR SHARE, so counting (an UPDATE of that row) waits for this
    entry to commit and then counts it, or this entry waits for the count and is refused; online
    ballots hold it FOR SHARE too, so entries and ballots do not wait for each other. On SQLite
    the transaction holds the database's one writer."""
    lock = " FOR SHARE" if isinstance(Round._meta.db, PostgresEngine) else ""
    if not await Round.raw("SELECT id FROM round WHERE id = {} AND status = 'voting'" + lock, round_id):
        raise Conflict(_("本批次不在勾选中，不能录入纸质选票。"))


def _refuse_online(row: dict) -> None:
    if row["channel"] == "online":
        raise Conflict(_("这个选票码已经在网上投过票，纸质选票不能再录入。请把这张纸质选票交给审核人作废处理。"))


async def enter(raw_code: str, item_ids: list[int], *, spoiled: bool = False, actor: Any,
                round_id: int | None = None) -> Outcome:
    code = codes.normalise(raw_code)
    if len(code) != codes.CODE_LENGTH:
        raise NotFound(_("选票码应为 {n} 位字母和数字，请核对后重新输入。").format(n=codes.CODE_LENGTH))
    row = await _code_row(code)
    if round_id is not None and row["round"] != round_id:
        raise DomainError(_("这个选票码不属于本批次，请核对纸质选票。"))
    if not bperm.can_enter_paper(actor, row["town"], row["community"]):
        raise Forbidden(_("这个选票码不属于您负责的社区，不能由您录入。"))
    if RoundStatus(row["status"]) is not RoundStatus.voting:
        raise Conflict(_("本批次不在勾选中，不能录入纸质选票。"))
    setup = await round_settings.get(row["round"])
    if not setup.takes_part(row["community"]):
        raise Conflict(_("这个选票码所属的社区不参加本批次勾选，纸质选票不能录入。"))
    _refuse_online(row)
    if spoiled:
        entry = SPOILED
    else:
        valid = {r["id"] for r in await WishItem.select(WishItem.id).where(WishItem.round == row["round"])}
        try:
            entry = encode(check_choices(item_ids, valid, row["max_ticks"]), False)
        except DomainError as exc:
            raise DomainError(
                exc.message + _("如果纸质选票本身无效（未勾选或勾选过多），请勾选“此票作废”后再保存。")) from exc

    async with PaperBallot._meta.db.transaction():
        await _hold_voting(row["round"])
        spent = await BallotCode.update({BallotCode.used_at: spent_day(datetime.now(UTC)),
                                         BallotCode.channel: "paper"}).where(
            (BallotCode.id == row["id"]) & BallotCode.used_at.is_null()).returning(BallotCode.id)
        if spent:
            await PaperBallot.insert(PaperBallot(round=row["round"], community=row["community"], code=row["id"],
                                                 status=PENDING, first_by=actor.id, first_entry=entry)).run()
            outcome = Outcome(PENDING, code)
        else:
            outcome = await _second_entry(row, code, entry, actor)
    late = {"after_close": True} if setup.casting_ended else {}
    await audit.record("ballot.paper.entered", actor=actor, object_type="round", object_id=row["round"],
                       code=code, result=outcome.status, **late)
    return outcome


async def _second_entry(row: dict, code: str, entry: str, actor: Any) -> Outcome:
    fresh = await BallotCode.select(BallotCode.channel).where(BallotCode.id == row["id"]).first()
    if fresh is None:  # deleted since it was read (with its round)
        raise NotFound(_("没有找到这个选票码，请核对纸质选票上印的选票码。"))
    _refuse_online(fresh)
    paper = await PaperBallot.select().where(PaperBallot.code == row["id"]).first()
    if paper is None:  # spent for paper by an entry still being written: let the user retry
        raise Conflict(_("这张选票正在被别人录入，请稍后刷新再试。"))
    if paper["status"] == CONFLICT:
        raise Conflict(_("这张选票两次录入不一致，正在等待审核人处理。"))
    if paper["status"] in (COUNTED, SPOILT) or paper["second_by"] is not None:
        raise Conflict(_("这张纸质选票已经录入完毕，不能再录入。"))
    if paper["first_by"] == actor.id:
        raise Conflict(_("您已经录入过这张选票。第二遍须由另一位收集员录入，以便核对。"))
    if paper["first_entry"] != entry:
        status = CONFLICT
    elif entry == SPOILED:
        status = SPOILT
    else:
        status = COUNTED
    values: dict[Column | str, Any] = {PaperBallot.second_by: actor.id, PaperBallot.status: status,
              PaperBallot.second_entry: entry if status == CONFLICT else ""}
    if status != CONFLICT:
        values[PaperBallot.first_entry] = ""
    changed = await PaperBallot.update(values).where(
        (PaperBallot.id == paper["id"]) & (PaperBallot.status == PENDING) & PaperBallot.second_by.is_null()
    ).returning(PaperBallot.id)
    if not changed:
        raise Conflict(_("这张选票刚被别人录入，请刷新页面。"))
    if status == COUNTED:
        await _write_ballot(row["round"], row["community"], decode(entry) or [])
    return Outcome(status, code)


async def _write_ballot(round_id: int, community_id: int, item_ids: list[int]) -> None:
    """The counted paper ballot, under random ids as an online one (casting._cast_sqlite): the
    paper form keeps its code, so the ballot must not tell when it was written."""
    ballot_id = await db.insert_secret(Ballot, round=round_id, community=community_id, receipt=codes.new_receipt())
    for i in item_ids:
        await db.insert_secret(BallotChoice, ballot=ballot_id, item=i)


@dataclass(frozen=True)
class Held:
    id: int
    code: str
    community: str
    first_by: str
    second_by: str
    first: list[int] | None
    second: list[int] | None

    @property
    def differing(self) -> set[int]:
        return set(self.first or []) ^ set(self.second or [])


async def held(round_id: int) -> list[Held]:
    rows = await PaperBallot.select(
        PaperBallot.id, PaperBallot.code.code.as_alias("code"), PaperBallot.community.name.as_alias("community"),
        PaperBallot.first_by.display_name.as_alias("first_name"),
        PaperBallot.second_by.display_name.as_alias("second_name"),
        PaperBallot.first_entry, PaperBallot.second_entry,
    ).where((PaperBallot.round == round_id) & (PaperBallot.status == CONFLICT)).order_by(PaperBallot.id)
    return [Held(r["id"], r["code"], r["community"], r["first_name"], r["second_name"],
                 decode(r["first_entry"]), decode(r["second_entry"])) for r in rows]


async def resolve(round_id: int, paper_id: int, choice: str, *, actor: Any) -> str:
    """A supervisor keeps the first or the second entry, or spoils the ballot."""
    if choice not in ("first", "second", "spoiled"):
        raise DomainError(_("请选择采用哪一次录入，或作废。"))
    async with PaperBallot._meta.db.transaction():
        await _hold_voting(round_id)
        paper = await PaperBallot.select().where(
            (PaperBallot.id == paper_id) & (PaperBallot.round == round_id)).first()
        if paper is None:
            raise NotFound(_("找不到这张纸质选票。"))
        if paper["status"] != CONFLICT:
            raise Conflict(_("这张纸质选票已经处理过了。"))
        entry = SPOILED if choice == "spoiled" else paper["first_entry" if choice == "first" else "second_entry"]
        status = SPOILT if entry == SPOILED else COUNTED
        changed = await PaperBallot.update({
            PaperBallot.status: status, PaperBallot.resolved_by: actor.id,
            PaperBallot.first_entry: "", PaperBallot.second_entry: "",
        }).where((PaperBallot.id == paper_id) & (PaperBallot.status == CONFLICT)).returning(PaperBallot.id)
        if not changed:
            raise Conflict(_("这张纸质选票已经处理过了。"))
        if status == COUNTED:
            await _write_ballot(round_id, paper["community"], decode(entry) or [])
    await audit.record("ballot.paper.resolved", actor=actor, object_type="round", object_id=round_id,
                       paper_id=paper_id, result=status)
    return status


async def ensure_none_held(round_id: int) -> None:
    waiting = await PaperBallot.count().where(
        (PaperBallot.round == round_id) & PaperBallot.status.is_in([PENDING, CONFLICT]))
    if waiting:
        raise Conflict(ngettext(
            "还有 {n} 张纸质选票未完成两次录入或正等待审核，全部处理完才能计票。",
            "还有 {n} 张纸质选票未完成两次录入或正等待审核，全部处理完才能计票。", waiting).format(n=waiting))


async def reconciliation(round_id: int) -> dict:
    """Per community: codes issued, cast online, paper returned, entered, waiting, in conflict,
    spoiled. Every issued code is in exactly one of: unused, online, or a paper status."""
    rows: dict[int, dict] = {}
    for r in await BallotCode.select(
            BallotCode.community, BallotCode.community.name.as_alias("name"), BallotCode.channel,
            Count(alias="n")).where(BallotCode.round == round_id).group_by(
            BallotCode.community, BallotCode.community.name, BallotCode.channel):
        c = rows.setdefault(r["community"], {"id": r["community"], "name": r["name"], "issued": 0, "online": 0,
                                             "returned": 0, PENDING: 0, COUNTED: 0, CONFLICT: 0, SPOILT: 0})
        c["issued"] += r["n"]
        if r["channel"] == "online":
            c["online"] += r["n"]
    for r in await PaperBallot.select(PaperBallot.community, PaperBallot.status, Count(alias="n")).where(
            PaperBallot.round == round_id).group_by(PaperBallot.community, PaperBallot.status):
        c = rows[r["community"]]
        c[r["status"]] += r["n"]
        c["returned"] += r["n"]
    communities = sorted(rows.values(), key=lambda c: c["name"])
    keys = ["issued", "online", "returned", PENDING, COUNTED, CONFLICT, SPOILT]
    return {"communities": communities, "total": {k: sum(c[k] for c in communities) for k in keys}}
