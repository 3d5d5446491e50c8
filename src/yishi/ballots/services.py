"""群众勾选: ballot codes, casting a ballot, opening and closing the ticking, counting."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from piccolo.query.functions.aggregate import Count

from yishi.ballots import codes
from yishi.ballots.tables import Ballot, BallotChoice, BallotCode
from yishi.core import audit
from yishi.core.errors import Conflict, DomainError, NotFound
from yishi.core.i18n import _
from yishi.places.tables import Community
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import RoundStatus
from yishi.wishlists.tables import WishItem

MAX_CODES_PER_BATCH = 5000


async def open_voting(round_: wishlists.RoundView, *, actor: Any) -> None:
    if round_.status is not RoundStatus.draft:
        raise Conflict(_("该批次已经开放过勾选,不能重复开放。"))
    if not await WishItem.exists().where(WishItem.round == round_.id):
        raise DomainError(_("清单还是空的,请先添加项目再开放勾选。"))
    if not await wishlists.set_status(round_.id, RoundStatus.draft, RoundStatus.voting,
                                      opened_at=datetime.now(timezone.utc)):
        raise Conflict(_("该批次的状态已被他人更改,请刷新页面。"))
    await audit.record("ballot.round.opened", actor=actor, object_type="round", object_id=round_.id)


async def close_voting(round_: wishlists.RoundView, *, actor: Any) -> None:
    if round_.status is not RoundStatus.voting:
        raise Conflict(_("该批次当前不在勾选中,无法结束勾选。"))
    if not await wishlists.set_status(round_.id, RoundStatus.voting, RoundStatus.counted,
                                      closed_at=datetime.now(timezone.utc)):
        raise Conflict(_("该批次的状态已被他人更改,请刷新页面。"))
    await audit.record("ballot.round.closed", actor=actor, object_type="round", object_id=round_.id)


async def issue_codes(round_: wishlists.RoundView, community_id: int, count: int, *, actor: Any) -> list[str]:
    if round_.status not in (RoundStatus.draft, RoundStatus.voting):
        raise Conflict(_("勾选已结束,不能再发放选票码。"))
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise DomainError(_("每次可生成 1 到 {n} 个选票码。").format(n=MAX_CODES_PER_BATCH))
    community = await Community.select(Community.town).where(Community.id == community_id).first()
    if community is None or community["town"] != round_.town_id:
        raise DomainError(_("所选社区不属于本镇(街道)。"))
    new = {codes.new_code() for _ in range(count)}
    while len(new) < count:
        new.add(codes.new_code())
    rows = [BallotCode(round=round_.id, community=community_id, code=c) for c in sorted(new)]
    await BallotCode.insert(*rows).run()
    await audit.record("ballot.codes.issued", actor=actor, object_type="round", object_id=round_.id,
                       community_id=community_id, count=count)
    return sorted(new)


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
        raise NotFound(_("选票码应为 {n} 位字母和数字,请核对后重新输入。").format(n=codes.CODE_LENGTH))
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
        raise NotFound(_("没有找到这个选票码,请核对后重新输入。"))
    return CodeInfo(code, row["round"], row["community"], row["community_name"],
                    row["used_at"] is not None)


def check_choices(item_ids: list[int], valid_ids: set[int], max_ticks: int) -> list[int]:
    """The ticks a resident sent, checked against the list: pure, so it is tested on its own."""
    chosen = sorted(set(item_ids))
    if not chosen:
        raise DomainError(_("请至少勾选一项。"))
    if not set(chosen) <= valid_ids:
        raise DomainError(_("提交的项目不在本次清单上,请刷新页面后重新勾选。"))
    if max_ticks and len(chosen) > max_ticks:
        raise DomainError(
            _("最多只能勾选 {max} 项,您勾选了 {n} 项。请取消一些后再提交。").format(max=max_ticks, n=len(chosen))
        )
    return chosen


async def cast_ballot(raw_code: str, item_ids: list[int]) -> str:
    """Record one resident's ticks and return the receipt. The code is spent in the same
    transaction as the ballot is written, so a code yields exactly one ballot even when many
    submissions race, and a failed check leaves both untouched."""
    info = await lookup_code(raw_code)
    round_ = await wishlists.get_round(info.round_id)
    if round_.status is RoundStatus.draft:
        raise Conflict(_("本批次清单尚未开放勾选,请稍后再来。"))
    if round_.status is not RoundStatus.voting:
        raise Conflict(_("本批次的群众勾选已经结束,感谢您的关注。"))
    if info.used:
        raise Conflict(_("这个选票码已经使用过了。每个选票码只能投一次。"))
    valid = {r["id"] for r in await WishItem.select(WishItem.id).where(WishItem.round == round_.id)}
    chosen = check_choices(item_ids, valid, round_.max_ticks)
    receipt = codes.new_receipt()
    async with BallotCode._meta.db.transaction():
        spent = (
            await BallotCode.update({BallotCode.used_at: datetime.now(timezone.utc),
                                     BallotCode.channel: "online"})
            .where((BallotCode.code == info.code) & BallotCode.used_at.is_null())
            .returning(BallotCode.id)
            .run()
        )
        if not spent:
            raise Conflict(_("这个选票码已经使用过了。每个选票码只能投一次。"))
        ballot = await Ballot.insert(
            Ballot(round=round_.id, community=info.community_id, receipt=receipt)
        ).returning(Ballot.id).run()
        ballot_id = ballot[0]["id"]
        await BallotChoice.insert(*[BallotChoice(ballot=ballot_id, item=i) for i in chosen]).run()
    return receipt


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


async def unused_codes(round_id: int, community_id: int | None = None, limit: int = 50) -> list[dict]:
    query = BallotCode.select(BallotCode.code, BallotCode.community.name.as_alias("community")).where(
        (BallotCode.round == round_id) & BallotCode.used_at.is_null()
    )
    if community_id is not None:
        query = query.where(BallotCode.community == community_id)
    return await query.order_by(BallotCode.id).limit(limit).run()
