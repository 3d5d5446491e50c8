"""The ticking's lifecycle: opening it (the list and the round settings freeze), ending it by
hand or at the closing time, and counting it, once, into the published result.

A round that never used paper is counted as its casting ends; one that used paper waits, past its
closing time, until staff confirm that every paper ballot handed in is entered (confirm_count).
The closing time is enforced by close_due_rounds: from a background task (start_closer, in the
app's start-up) and whenever staff open the round page (close_if_due). See round_settings.py."""
from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

from yishi.ballots import mixing, paper, results, round_settings
from yishi.ballots.tables import Ballot
from yishi.core import audit
from yishi.core.errors import Conflict, DomainError
from yishi.core.i18n import _
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus
from yishi.wishlists.tables import WishItem

log = logging.getLogger(__name__)


async def open_voting(round_: wishlists.RoundView, *, actor: Any) -> None:
    if round_.status is not RoundStatus.draft:
        raise Conflict(_("该批次已经开放过勾选，不能重复开放。"))
    if not await WishItem.exists().where(WishItem.round == round_.id):
        raise DomainError(_("清单还是空的，请先添加项目再开放勾选。"))
    if round_.adopted_at is None:
        # The list is the council's: only a list adopted in a 民主恳谈交清单 meeting is published.
        raise Conflict(_("清单还没有经议事组“民主恳谈交清单”会议定稿，不能发布。请召集人在会议中确定清单。"))
    setup = await round_settings.get(round_.id)
    if setup.closes_at is not None and setup.closes_at <= round_settings.now_utc():
        raise DomainError(_("勾选截止时间已经过去，请先修改勾选设置中的截止时间再发布。"))
    if not await wishlists.set_status(round_.id, RoundStatus.draft, RoundStatus.voting,
                                      opened_at=datetime.now(UTC)):
        raise Conflict(_("该批次的状态已被他人更改，请刷新页面。"))
    await audit.record("ballot.round.opened", actor=actor, object_type="round", object_id=round_.id)


async def close_voting(round_: wishlists.RoundView, *, actor: Any) -> bool:
    """结束群众勾选 (staff): the casting ends now. A round that never used paper is counted and
    its result published at once (True). A round that used paper waits for its paper ballots
    (False): online ballots are refused from now on, collectors still enter the paper ballots
    handed in by now, and confirm_count counts the round once they are all entered. Ending a
    round whose casting has already ended changes nothing (a second click, a stale page)."""
    if round_.status is not RoundStatus.voting:
        raise Conflict(_("该批次当前不在勾选中，无法结束勾选。"))
    setup = await round_settings.get(round_.id)
    if setup.uses_paper:
        await round_settings.end_casting(round_.id, actor=actor)
        return False
    await count_round(round_, actor=actor)
    return True


async def confirm_count(round_: wishlists.RoundView, *, actor: Any) -> None:
    """纸质选票已全部录入 (staff): count a round that used paper, once its casting has ended and
    no paper ballot waits for a second entry or a supervisor."""
    if round_.status is not RoundStatus.voting:
        raise Conflict(_("该批次当前不在勾选中，已经计过票了。"))
    setup = await round_settings.get(round_.id)
    if not setup.casting_ended:
        raise Conflict(_("勾选还没有截止。请先点“结束群众勾选”，或等到截止时间。"))
    await count_round(round_, actor=actor)


async def count_round(round_: wishlists.RoundView, *, actor: Any) -> str:
    """Count the round and publish its result, once: voting -> counted, in one transaction with
    the count. Refused while a paper ballot waits (nothing changes then); the paper entry paths
    hold the round row (paper._hold_voting), so an entry either commits before this counts, or
    finds the round counted and is refused. The ballots are mixed before they are counted
    (ballots/mixing.py). Returns the result's digest."""
    setup = await round_settings.get(round_.id)
    async with Ballot._meta.db.transaction():
        if not await wishlists.set_status(round_.id, RoundStatus.voting, RoundStatus.counted,
                                          closed_at=datetime.now(UTC)):
            raise Conflict(_("该批次的状态已被他人更改，请刷新页面。"))
        await paper.ensure_none_held(round_.id)
        # Counted after the status changed: a ballot racing the close either committed before it
        # (cast_ballot holds the round row) or was refused, so this count is final. Mixed first,
        # in the same transaction: no published result rests on ballots still paired with their
        # codes by PostgreSQL's transaction ids (ballots/mixing.py).
        await mixing.mix_round(round_.id)
        digest = await results.publish(round_.id)
    on_paper = {"paper_returned": setup.paper_returned} if setup.uses_paper else {}
    await audit.record("ballot.round.closed", actor=actor, object_type="round", object_id=round_.id,
                       digest=digest, **on_paper)
    return digest


# --- closing by itself ------------------------------------------------------------------------

async def close_if_due(round_id: int, now: datetime | None = None) -> bool:
    """Count one round whose closing time has passed (through count_round, as "system"),
    unless it used paper: that one waits for staff to confirm the paper entry. False when it is
    not due, waits for paper, or another worker or request counted it first.

    Several server processes (uvicorn workers) each run the closer, and every open round page
    calls this too: they race for the same round, one wins (the status changes from voting to
    counted once, in the database) and the others find it done. Losing is normal, so it is
    logged at debug level; only a refusal that leaves the round uncounted is a warning."""
    now = now or round_settings.now_utc()
    settings = await round_settings.get(round_id)
    if settings.closes_at is None or settings.closes_at > now:
        return False
    if settings.uses_paper:
        log.debug("round %s is past its closing time; waiting for staff to confirm the paper entry", round_id)
        return False
    round_ = await wishlists.get_round(round_id)
    if round_.status is not RoundStatus.voting:
        return False
    try:
        await count_round(round_, actor=round_settings.SYSTEM)
    except DomainError as exc:
        if (await wishlists.get_round(round_id)).status is not RoundStatus.voting:
            log.debug("round %s was counted by another worker or request", round_id)
        elif (await round_settings.get(round_id)).uses_paper:
            # A paper ballot was entered in the meantime: the round now waits for staff.
            log.info("round %s is past its closing time and now waits for its paper ballots", round_id)
        else:
            log.warning("round %s is past its closing time but was not counted: %s", round_id, exc.message)
        return False
    return True


async def close_due_rounds(now: datetime | None = None) -> list[int]:
    closed = []
    for round_id in await round_settings.due_rounds(now):
        if await close_if_due(round_id, now):
            closed.append(round_id)
    return closed


async def _closer_loop(interval: float) -> None:
    # Waits before the first tick: start-up has enough to do, and a round page opened meanwhile
    # closes a due round by itself (close_if_due).
    while True:
        await asyncio.sleep(interval)
        try:
            await close_due_rounds()
        except asyncio.CancelledError:
            raise
        except Exception:  # a bad tick must not stop the next one
            log.exception("closing due rounds failed")


def start_closer(interval: float = round_settings.CLOSER_INTERVAL) -> asyncio.Task:
    return asyncio.get_running_loop().create_task(_closer_loop(interval), name="yishi-round-closer")


async def stop_closer(task: asyncio.Task | None) -> None:
    if task is None:
        return
    task.cancel()
    # Stopping: whatever the loop was doing or died of is no longer anyone's concern.
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task

