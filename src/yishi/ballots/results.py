"""The published result of a round, its recount, and the public check of receipts.

When the ticking closes, the approvals per item are counted once and kept with a SHA-256 of
their canonical form. A recount counts again from the stored ballots, independently (each ballot
read back, not a GROUP BY), and must give the same digest; either way it is in the audit trail.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from yishi.ballots import codes, round_settings
from yishi.ballots.casting import stored_ballots
from yishi.ballots.tables import Ballot, RoundResult
from yishi.core import audit
from yishi.core.errors import Conflict, NotFound
from yishi.core.i18n import _
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus

CLOSED = (RoundStatus.counted, RoundStatus.decided)


def canonical(approvals: dict[int, int], ballots: int) -> str:
    return json.dumps({"ballots": ballots, "approvals": {str(k): approvals[k] for k in sorted(approvals)}},
                      sort_keys=True, separators=(",", ":"))


def digest_of(approvals: dict[int, int], ballots: int) -> str:
    return hashlib.sha256(canonical(approvals, ballots).encode()).hexdigest()


async def count_from_ballots(round_id: int) -> tuple[dict[int, int], int]:
    """Approvals per item (every item of the list, zeros included) and the number of ballots."""
    ballots = await stored_ballots(round_id)
    counts: Counter[int] = Counter()
    for ballot in ballots:
        counts.update(ballot)
    items = [i["id"] for i in await wishlists.items_of(round_id)]
    return {i: counts.get(i, 0) for i in items}, len(ballots)


async def publish(round_id: int) -> str:
    """Count and keep the result; called as the ticking closes (or a round is imported)."""
    approvals, ballots = await count_from_ballots(round_id)
    digest = digest_of(approvals, ballots)
    await RoundResult.insert(RoundResult(
        round=round_id, ballots=ballots, approvals=canonical(approvals, ballots), digest=digest,
        published_at=datetime.now(UTC),
    )).run()
    return digest


async def not_yet_message(round_: wishlists.RoundView) -> str:
    """Why a round has no public result yet, for residents."""
    if round_.status is RoundStatus.voting and (await round_settings.get(round_.id)).casting_ended:
        return _("勾选已截止，纸质选票正在录入。全部录入、计票后公布结果，请稍后再来。")
    return _("群众勾选结束后才公布结果，请稍后再来。")


async def published_rounds(limit: int = 12) -> list[dict]:
    """The rounds whose result is public (ticking closed), newest first: the home page's links."""
    rows = await RoundResult.select(
        RoundResult.round.as_alias("id"), RoundResult.round.title.as_alias("title"),
        RoundResult.round.status.as_alias("status"), RoundResult.round._.town.name.as_alias("town_name"),
        RoundResult.ballots, RoundResult.published_at,
    ).order_by(RoundResult.published_at, ascending=False).limit(limit * 2).run()
    return [r for r in rows if RoundStatus(r["status"]) in CLOSED][:limit]


@dataclass(frozen=True)
class Published:
    ballots: int
    approvals: dict[int, int]
    digest: str
    published_at: datetime


async def published(round_id: int) -> Published | None:
    row = await RoundResult.select().where(RoundResult.round == round_id).first()
    if row is None:
        return None
    data = json.loads(row["approvals"])
    return Published(row["ballots"], {int(k): v for k, v in data["approvals"].items()}, row["digest"],
                     row["published_at"])


@dataclass(frozen=True)
class Recount:
    matches: bool
    ballots: int
    approvals: dict[int, int]
    digest: str
    published_digest: str


async def recount(round_: wishlists.RoundView, *, actor: Any) -> Recount:
    if round_.status not in CLOSED:
        raise Conflict(_("群众勾选结束后才能重新计票。"))
    kept = await published(round_.id)
    if kept is None:
        raise NotFound(_("该批次没有公布的勾选结果，无法核对。"))
    approvals, ballots = await count_from_ballots(round_.id)
    digest = digest_of(approvals, ballots)
    result = Recount(digest == kept.digest, ballots, approvals, digest, kept.digest)
    await audit.record("ballot.round.recounted", actor=actor, object_type="round", object_id=round_.id,
                       matches=result.matches, ballots=ballots, digest=digest)
    return result


async def receipt_counted(round_id: int, raw: str) -> bool:
    receipt = codes.normalise(raw)
    if len(receipt) != codes.RECEIPT_LENGTH:
        return False
    return await Ballot.exists().where((Ballot.round == round_id) & (Ballot.receipt == receipt))


async def receipts_of(round_id: int) -> list[str]:
    """The public list of counted receipts, sorted: it says nothing of the ticks."""
    rows = await Ballot.select(Ballot.receipt).where(Ballot.round == round_id).order_by(Ballot.receipt)
    return [r["receipt"] for r in rows]
