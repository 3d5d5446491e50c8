"""群众勾选, the casting: ballot codes issued and spent, ballots written, the tally read back, and the
round as an election for the rules. Opening, ending and counting the ticking are in lifecycle.py."""
from __future__ import annotations

import sqlite3
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.query.functions.aggregate import Count

from yishi.ballots import codes, round_settings, rules
from yishi.ballots.tables import Ballot, BallotChoice, BallotCode, BallotCodeBatch
from yishi.core import audit, db
from yishi.core.dates import CHINA, local_text
from yishi.core.db import SharedSQLiteEngine
from yishi.core.errors import Conflict, DomainError, NotFound
from yishi.core.i18n import _, ngettext
from yishi.places import services as places
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus
from yishi.wishlists.tables import WishItem

MAX_CODES_PER_BATCH = 5000


async def _taken(candidates: set[str]) -> set[str]:
    """Which of these codes exist already (in any round: codes are unique across rounds)."""
    found: set[str] = set()
    batch = sorted(candidates)
    for start in range(0, len(batch), 500):  # well under SQLite's limit of bound parameters
        found.update(r["code"] for r in await BallotCode.select(BallotCode.code).where(
            BallotCode.code.is_in(batch[start:start + 500])))
    return found


async def _fresh_codes(count: int) -> set[str]:
    """`count` distinct new codes, none of them already stored: the clashing ones are drawn
    again, and the new draws checked in turn, until none clashes."""
    fresh: set[str] = set()
    checking: set[str] = set()
    refused: set[str] = set()
    for _round in range(50):
        while len(fresh) + len(checking) < count:
            code = codes.new_code()
            if code not in fresh and code not in refused:
                checking.add(code)
        clash = await _taken(checking)
        refused |= clash
        fresh |= checking - clash
        checking = set()
        if not clash:
            return fresh
    raise RuntimeError("could not draw ballot codes that are not taken")


ISSUE_ATTEMPTS = 5


async def issue_codes(round_: wishlists.RoundView, community_id: int, count: int, *, actor: Any) -> list[str]:
    """`count` new codes for one community of the round, stored as one batch; the codes."""
    return (await issue_code_batch(round_, community_id, count, actor=actor)).codes


@dataclass(frozen=True)
class IssuedBatch:
    id: int
    codes: list[str]


async def issue_code_batch(round_: wishlists.RoundView, community_id: int, count: int, *, actor: Any) -> IssuedBatch:
    """One "生成选票码": `count` new codes for one community, kept together as a batch (when, by
    whom), so the street can later print or export exactly the set handed to one collector."""
    if round_.status not in (RoundStatus.draft, RoundStatus.voting):
        raise Conflict(_("勾选已结束，不能再发放选票码。"))
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise DomainError(_("每次可生成 1 到 {n} 个选票码。").format(n=MAX_CODES_PER_BATCH))
    if await places.town_of_community(community_id) != round_.town_id:
        raise DomainError(_("所选社区不属于本镇（街道）。"))
    setup = await round_settings.get(round_.id)
    if not setup.takes_part(community_id):
        raise DomainError(_("这个社区不参加本批次勾选，不能为它生成选票码。请先在勾选设置中选择参加的社区。"))
    if round_.status is RoundStatus.voting and setup.casting_ended:
        raise Conflict(_("勾选已截止，不能再发放选票码。"))
    (batch,) = await BallotCodeBatch.insert(BallotCodeBatch(
        round=round_.id, community=community_id, size=count, issued_at=datetime.now(UTC),
        issued_by=getattr(actor, "id", None))).returning(BallotCodeBatch.id)
    # The batch is checked against the stored codes and the clashing ones drawn again; the unique
    # index stays the last guard, for a batch another request stored between the check and the
    # insert: the whole insert (one statement) is then refused, and drawn and checked again.
    for attempt in range(1, ISSUE_ATTEMPTS + 1):
        new = sorted(await _fresh_codes(count))
        try:
            await BallotCode.insert(*[BallotCode(round=round_.id, community=community_id, code=c, batch=batch["id"])
                                      for c in new]).run()
        except Exception as exc:
            if not db.is_unique_violation(exc) or attempt == ISSUE_ATTEMPTS:
                await BallotCodeBatch.delete().where(BallotCodeBatch.id == batch["id"])
                raise
            continue
        break
    await audit.record("ballot.codes.issued", actor=actor, object_type="round", object_id=round_.id,
                       community_id=community_id, count=count, voter_unit=setup.voter_unit, batch_id=batch["id"])
    return IssuedBatch(batch["id"], new)


async def code_batches(round_id: int) -> list[dict]:
    """The round's batches, oldest first, each numbered within the round (第 1 次发放, ...; 批次 is the
    round itself), with its community, time, issuer and how many of its codes are still unused."""
    rows = await BallotCodeBatch.select(
        BallotCodeBatch.id, BallotCodeBatch.size, BallotCodeBatch.issued_at, BallotCodeBatch.community,
        BallotCodeBatch.community.name.as_alias("community_name"),
        BallotCodeBatch.issued_by.display_name.as_alias("issued_by_name"),
    ).where(BallotCodeBatch.round == round_id).order_by(BallotCodeBatch.id)
    unused = {r["batch"]: r["n"] for r in await BallotCode.select(
        BallotCode.batch, Count(BallotCode.id, alias="n")
    ).where(
        (BallotCode.round == round_id) & BallotCode.used_at.is_null() & BallotCode.batch.is_not_null()
    ).group_by(BallotCode.batch)}
    return [{**r, "number": n, "issued_at_text": local_text(r["issued_at"]), "unused": unused.get(r["id"], 0)}
            for n, r in enumerate(rows, start=1)]


@dataclass(frozen=True)
class CodeInfo:
    code: str
    round_id: int
    community_id: int
    community_name: str
    used: bool


async def lookup_code(raw: str) -> CodeInfo:
    code = codes.normalise(raw)
    if len(code) != codes.CODE_LENGTH:
        raise NotFound(_("选票码应为 {n} 位字母和数字，请核对后重新输入。").format(n=codes.CODE_LENGTH))
    row = (
        await BallotCode.select(
            BallotCode.code, BallotCode.round, BallotCode.community, BallotCode.used_at,
            BallotCode.community.name.as_alias("community_name"),
        )
        .where(BallotCode.code == code)
        .first()
        .run()
    )
    if row is None:
        raise NotFound(_("没有找到这个选票码，请核对后重新输入。"))
    return CodeInfo(code, row["round"], row["community"], row["community_name"],
                    row["used_at"] is not None)


def check_choices(item_ids: list[int], valid_ids: AbstractSet[int], max_ticks: int) -> list[int]:
    """The ticks a resident sent, checked against the list: pure, so it is tested on its own."""
    chosen = sorted(set(item_ids))
    if not chosen:
        raise DomainError(_("请至少勾选一项。"))
    if not set(chosen) <= valid_ids:
        raise DomainError(_("提交的项目不在本次清单上，请刷新页面后重新勾选。"))
    if max_ticks and len(chosen) > max_ticks:
        raise DomainError(
            ngettext(
                "最多只能勾选 {max} 项，您勾选了 {n} 项。请取消一些后再提交。",
                "最多只能勾选 {max} 项，您勾选了 {n} 项。请取消一些后再提交。", max_ticks,
            ).format(max=max_ticks, n=len(chosen))
        )
    return chosen


def spent_day(moment: datetime) -> datetime:
    """When a code was spent, to the day (China time). A ballot holds no time and a random id
    (db.secret_id); an exact spending time on the code, beside ids that grow in the order ballots
    are cast, would let anyone who can read the database pair each code with its ballot by
    sorting both. Staff need to know that a code was used (and on which day), never the order."""
    day = moment.astimezone(CHINA).replace(hour=0, minute=0, second=0, microsecond=0)
    return day.astimezone(UTC)


async def cast_ballot(raw_code: str, item_ids: list[int]) -> str:
    """Record one resident's ticks and return the receipt. The code is spent in the same
    transaction (on PostgreSQL: the same statement) that checks the round is still open and
    writes the ballot, so a code yields exactly one ballot even when many submissions race, a
    ballot never lands in a closed round, and a failed check leaves everything untouched.

    This is the hot path of a ticking day, so it skips the query builder: on SQLite the whole
    ballot is one job of the engine's group commit (one hop to the database thread, one fsync
    shared with the ballots queued meanwhile); on PostgreSQL it is one statement, which checks,
    spends the code and writes the ballot and its ticks (a refusal costs two more, to say why)."""
    code = codes.normalise(raw_code)
    if len(code) != codes.CODE_LENGTH:
        raise NotFound(_("选票码应为 {n} 位字母和数字，请核对后重新输入。").format(n=codes.CODE_LENGTH))
    receipt = codes.new_receipt()
    at = round_settings.now_utc()  # checked against the round's window; never stored
    now = spent_day(at)
    engine = BallotCode._meta.db
    if isinstance(engine, SharedSQLiteEngine):
        return await engine.write(_cast_sqlite, code, item_ids, receipt, now, at)
    if isinstance(engine, PostgresEngine):
        return await _cast_postgres(code, item_ids, receipt, now, at)
    raise RuntimeError(f"cast_ballot has no path for {type(engine).__name__}")


# The code with its round's state and settings (placeholders in Piccolo's style, `{}`).
_LOOKUP = (
    "SELECT c.round, c.community, c.used_at IS NOT NULL AS used, r.status, r.max_ticks, r.opened_at,"
    " s.opens_at, s.closes_at, s.communities"
    " FROM ballot_code c JOIN round r ON r.id = c.round"
    " LEFT JOIN ballot_round_setting s ON s.round = c.round WHERE c.code = {}"
)
_ROUND_ITEMS = "SELECT id FROM wish_item WHERE round = {}"
# SQLite keeps a round's item ids: they are frozen once it opens (wishlists.ensure_editable).
# The key holds opened_at, so a round that is re-created under the same id (ids restart after a
# restore, or in tests) misses; status and max_ticks are read fresh for every ballot.
_ITEMS: dict[tuple[int, Any], frozenset[int]] = {}
_ITEMS_KEPT = 64


def _check_open(row: dict, at: datetime) -> None:
    """Why a code cannot be spent now, in the order residents are told: the round's state, its
    window (opening, closing time), its communities, then the code itself."""
    status = RoundStatus(row["status"])
    if status is RoundStatus.draft:
        raise Conflict(_("本批次清单尚未开放勾选，请稍后再来。"))
    if status is not RoundStatus.voting:
        raise Conflict(_("本批次的群众勾选已经结束，感谢您的关注。"))
    opens_at, closes_at = row["opens_at"], row["closes_at"]
    if opens_at is not None and at < round_settings.aware(opens_at):
        raise Conflict(_("本批次的群众勾选将于 {t} 开始，请到时再来。").format(t=local_text(opens_at)))
    if closes_at is not None and at >= round_settings.aware(closes_at):
        raise Conflict(_("本批次的群众勾选已于 {t} 截止，感谢您的关注。").format(t=local_text(closes_at)))
    if not round_settings.takes_part(row["communities"], row["community"]):
        raise Conflict(_("这个选票码所属的社区不参加本批次勾选，不能使用。如有疑问，请联系社区工作人员。"))
    if row["used"]:
        raise Conflict(_("这个选票码已经使用过了。每个选票码只能投一次。"))


def _keep_items(row: dict, ids: frozenset[int]) -> frozenset[int]:
    if row["opened_at"] is not None:
        if len(_ITEMS) >= _ITEMS_KEPT:
            _ITEMS.clear()
        _ITEMS[(row["round"], row["opened_at"])] = ids
    return ids


_LOOKUP_SQLITE = _LOOKUP.format("?")
_ROUND_ITEMS_SQLITE = _ROUND_ITEMS.format("?")


def _cast_sqlite(conn: sqlite3.Connection, code: str, item_ids: list[int], receipt: str,
                 now: datetime, at: datetime) -> str:
    """The whole ballot inside one write transaction of the group commit (it runs on the
    database thread, under SQLite's write lock, so what it reads cannot change under it)."""
    row = conn.execute(_LOOKUP_SQLITE, (code,)).fetchone()
    if row is None:
        raise NotFound(_("没有找到这个选票码，请核对后重新输入。"))
    _check_open(row, at)
    items = _ITEMS.get((row["round"], row["opened_at"]))
    if items is None:
        ids = frozenset(r["id"] for r in conn.execute(_ROUND_ITEMS_SQLITE, (row["round"],)))
        items = _keep_items(row, ids)
    chosen = check_choices(item_ids, items, row["max_ticks"])
    spent = conn.execute(
        "UPDATE ballot_code SET used_at = ?, channel = 'online' WHERE code = ? AND used_at IS NULL",
        (now, code),
    ).rowcount
    if spent != 1:
        raise Conflict(_("这个选票码已经使用过了。每个选票码只能投一次。"))
    # Random ids (db.secret_id), so neither the ballot nor its ticks tell the order they were
    # cast in. A clash refuses only the statement that clashed (the code stays spent inside this
    # job): it is drawn again.
    for attempt in range(1, db.SECRET_ATTEMPTS + 1):
        ballot_id = db.secret_id()
        try:
            conn.execute("INSERT INTO ballot (id, round, community, receipt) VALUES (?, ?, ?, ?)",
                         (ballot_id, row["round"], row["community"], receipt))
            break
        except sqlite3.IntegrityError:
            if attempt == db.SECRET_ATTEMPTS:
                raise
            receipt = codes.new_receipt()
    ticks = _TICKS_SQLITE.get(len(chosen)) or _TICKS_SQLITE.setdefault(
        len(chosen), "INSERT INTO ballot_choice (id, ballot, item) VALUES " + ", ".join(["(?, ?, ?)"] * len(chosen)))
    for attempt in range(1, db.SECRET_ATTEMPTS + 1):
        try:
            conn.execute(ticks, [v for item in chosen for v in (db.secret_id(), ballot_id, item)])
            break
        except sqlite3.IntegrityError:  # one statement: none of the ticks was written
            if attempt == db.SECRET_ATTEMPTS:
                raise
    return receipt


_TICKS_SQLITE: dict[int, str] = {}


# The whole ballot in one statement, so one round trip. The code is spent only if it is unused,
# its round is open (FOR SHARE: a concurrent close waits for this ballot, or this ballot sees the
# close), `at` lies in the round's window and its community takes part (the settings row cannot
# change once the round is voting: round_settings.save holds the round in draft), and the ticks
# are distinct items of that round, no more than its max_ticks; then the ballot and its ticks
# are written. Any failure leaves nothing: `ticks` is then 0, and _cast_postgres asks why.
_CAST_PG = """
WITH args AS (
    SELECT {}::varchar AS code, {}::timestamptz AS now, {}::varchar AS receipt,
           {}::integer[] AS items, {}::timestamptz AS at, {}::integer AS ballot_id, {}::integer[] AS tick_ids
), spent AS (
    UPDATE ballot_code SET used_at = args.now, channel = 'online'
    FROM args
    WHERE ballot_code.code = args.code AND ballot_code.used_at IS NULL
      AND cardinality(args.items) > 0
      AND (SELECT count(*) FROM wish_item
           WHERE wish_item.round = ballot_code.round AND wish_item.id = ANY(args.items))
          = cardinality(args.items)
      AND EXISTS (SELECT 1 FROM round
                  WHERE round.id = ballot_code.round AND round.status = 'voting'
                    AND (round.max_ticks = 0 OR round.max_ticks >= cardinality(args.items))
                  FOR SHARE)
      AND NOT EXISTS (SELECT 1 FROM ballot_round_setting s
                      WHERE s.round = ballot_code.round
                        AND ((s.opens_at IS NOT NULL AND args.at < s.opens_at)
                             OR (s.closes_at IS NOT NULL AND args.at >= s.closes_at)
                             OR (s.communities <> '' AND NOT (ballot_code.community::text
                                 = ANY(string_to_array(s.communities, ','))))))
    RETURNING ballot_code.round, ballot_code.community
), ballot AS (
    INSERT INTO ballot (id, round, community, receipt)
    SELECT args.ballot_id, spent.round, spent.community, args.receipt FROM spent, args
    RETURNING id
), ticks AS (
    INSERT INTO ballot_choice (id, ballot, item)
    SELECT t.tick_id, ballot.id, t.item FROM ballot, args, unnest(args.items, args.tick_ids) AS t(item, tick_id)
    RETURNING 1
)
SELECT (SELECT count(*) FROM ticks) AS ticks
"""
_INT_MAX = 2**31 - 1
# The same in asyncpg's style ($1...), sent straight to a pooled connection: Piccolo's Raw
# would compile the same text again for every ballot.
_CAST_PG_NATIVE = _CAST_PG.replace("{}", "${}").format(*range(1, _CAST_PG.count("{}") + 1))


async def _run_cast_pg(*args: Any) -> list:
    engine = Ballot._meta.db
    if not isinstance(engine, PostgresEngine):
        raise TypeError("the PostgreSQL cast on another database")
    transaction = engine.current_transaction.get()
    if transaction is not None:  # a savepoint, so a clash of random ids leaves the caller's transaction usable
        async with transaction.connection.transaction():
            return await transaction.connection.fetch(_CAST_PG_NATIVE, *args)
    if engine.pool is None:  # no pool started (a one-off command): Piccolo opens a connection
        return await Ballot.raw(_CAST_PG, *args).run()
    async with engine.pool.acquire() as connection:
        return await connection.fetch(_CAST_PG_NATIVE, *args)


async def _cast_postgres(code: str, item_ids: list[int], receipt: str, now: datetime, at: datetime) -> str:
    chosen = sorted(set(item_ids))
    if all(0 < i <= _INT_MAX for i in chosen):
        for attempt in range(1, db.SECRET_ATTEMPTS + 1):
            # Random ids for the ballot and its ticks (db.secret_id); the receipt drawn again too
            # on a clash, which refuses the whole statement (nothing written, the code unspent).
            try:
                rows = await _run_cast_pg(code, now, receipt, chosen, at, db.secret_id(),
                                          [db.secret_id() for _i in chosen])
                break
            except Exception as exc:
                if not db.is_unique_violation(exc) or attempt == db.SECRET_ATTEMPTS:
                    raise
                receipt = codes.new_receipt()
        if rows and rows[0]["ticks"]:
            return receipt
    # Nothing was written: find out why, checking in the order residents are told.
    rows = await BallotCode.raw(_LOOKUP, code).run()
    if not rows:
        raise NotFound(_("没有找到这个选票码，请核对后重新输入。"))
    _check_open(rows[0], at)
    items = frozenset(r["id"] for r in await WishItem.raw(_ROUND_ITEMS, rows[0]["round"]).run())
    check_choices(item_ids, items, rows[0]["max_ticks"])
    raise RuntimeError(f"ballot refused for no known reason (round {rows[0]['round']})")


@dataclass(frozen=True)
class Tally:
    approvals: dict[int, int]  # item id -> ticks
    ballots: int
    codes_issued: int
    per_community: list[dict]  # name, issued, voted

    @property
    def turnout(self) -> float:
        return self.ballots / self.codes_issued if self.codes_issued else 0.0


async def tally(round_id: int) -> Tally:
    counts = (
        await BallotChoice.select(BallotChoice.item, Count(alias="n"))
        .where(BallotChoice.ballot.round == round_id)
        .group_by(BallotChoice.item)
        .run()
    )
    issued = (
        await BallotCode.select(
            BallotCode.community, BallotCode.community.name.as_alias("name"), Count(alias="issued")
        )
        .where(BallotCode.round == round_id)
        .group_by(BallotCode.community, BallotCode.community.name)
        .run()
    )
    voted = {
        r["community"]: r["n"]
        for r in await Ballot.select(Ballot.community, Count(alias="n"))
        .where(Ballot.round == round_id)
        .group_by(Ballot.community)
        .run()
    }
    per_community = sorted(
        ({"id": r["community"], "name": r["name"], "issued": r["issued"], "voted": voted.get(r["community"], 0)}
         for r in issued),
        key=lambda r: r["name"],
    )
    return Tally(
        approvals={r["item"]: r["n"] for r in counts},
        ballots=sum(voted.values()),
        codes_issued=sum(r["issued"] for r in issued),
        per_community=per_community,
    )


async def unused_codes(round_id: int, community_id: int | None = None, limit: int = 50,
                       batch_id: int | None = None) -> list[dict]:
    """The round's unused codes, of one community and/or one batch when asked, in issuing order."""
    query = BallotCode.select(BallotCode.code, BallotCode.community.name.as_alias("community"),
                              BallotCode.batch).where(
        (BallotCode.round == round_id) & BallotCode.used_at.is_null()
    )
    if community_id is not None:
        query = query.where(BallotCode.community == community_id)
    if batch_id is not None:
        query = query.where(BallotCode.batch == batch_id)
    return await query.order_by(BallotCode.id).limit(limit).run()


# --- the round as an election, for the decision rules and the .pb export -----------------------

async def stored_ballots(round_id: int) -> list[frozenset[int]]:
    """Every counted ballot of a round as the set of item ids it ticks, in a canonical order
    (by the ticks themselves), so nothing downstream can see the order ballots were cast in."""
    ticks: dict[int, set[int]] = {b["id"]: set()
                                  for b in await Ballot.select(Ballot.id).where(Ballot.round == round_id)}
    for row in await BallotChoice.select(BallotChoice.ballot, BallotChoice.item).where(
            BallotChoice.ballot.round == round_id):
        ticks[row["ballot"]].add(row["item"])
    return sorted((frozenset(t) for t in ticks.values()), key=lambda b: (len(b), sorted(b)))


async def election_of_round(round_id: int) -> rules.Election:
    """The round's stored ballots as a rules.Election: projects are the wish-list items (id as a
    string, cost in yuan, exact), the budget the round's, one anonymous voter per ballot."""
    round_ = await wishlists.get_round(round_id)
    items = await wishlists.items_of(round_id)
    projects = {
        str(i["id"]): rules.Project(str(i["id"]), rules.as_exact(Fraction(i["cost_fen"], 100)), i["title"],
                                    {"category": i["kind"]})
        for i in items
    }
    ballots = [frozenset(str(i) for i in b) for b in await stored_ballots(round_id)]
    meta = {
        "description": f"{round_.town_name} {round_.title}",
        "country": "China",
        "unit": round_.town_name,
        "instance": round_.title,
        "subunit": round_.district_name,
        "currency": "CNY",
        "rule": "greedy",
    }
    if round_.max_ticks:
        meta["max_length"] = str(round_.max_ticks)
    if round_.opened_at:
        meta["date_begin"] = round_.opened_at.strftime("%d.%m.%Y")
    if round_.closed_at:
        meta["date_end"] = round_.closed_at.strftime("%d.%m.%Y")
    return rules.Election(projects, rules.as_exact(Fraction(round_.budget_fen, 100)), ballots, meta,
                          None, [str(n) for n in range(1, len(ballots) + 1)])
