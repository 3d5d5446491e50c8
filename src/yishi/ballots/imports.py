"""Import a Pabulib .pb election as a closed round of a town, with its ballots."""
from __future__ import annotations

import logging
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from yishi.ballots import codes, results, rules
from yishi.ballots.tables import Ballot, BallotChoice
from yishi.core import audit, db
from yishi.core.errors import DomainError
from yishi.core.i18n import _, _l
from yishi.core.money import MAX_YUAN
from yishi.places import services as places
from yishi.wishlists.enums import ItemKind, RoundStatus
from yishi.wishlists.services import MAX_ITEMS
from yishi.wishlists.tables import Round, WishItem

log = logging.getLogger(__name__)

CHUNK = 2000  # rows per INSERT: well under SQLite's limit of bound parameters
MAX_BALLOTS = 1_000_000

NOT_PB = _l("不是有效的 Pabulib（.pb）文件：")
# rules.PbFormatError kinds, in words for the person who uploaded the file (the technical detail,
# in English, goes to the log only).
PB_FAULTS = {
    "unreadable": _l("无法按分号分隔的文本读取，请用 UTF-8 编码的 .pb 文件。"),
    "before_section": _l("文件应以 META 开头，这一行在 META 之前。"),
    "missing_section": _l("缺少 {section} 部分。"),
    "vote_type": _l("只能导入认可投票（approval）的文件，这个文件的投票类型是“{value}”。"),
    "no_budget": _l("META 部分没有填写预算（budget）。"),
    "bad_budget": _l("预算“{value}”不是有效的金额。"),
    "no_column": _l("{section} 部分缺少“{column}”列。"),
    "no_project_id": _l("这个项目没有编号（project_id）。"),
    "duplicate_project": _l("项目编号“{pid}”重复了。"),
    "no_cost": _l("项目“{pid}”没有填写费用（cost）。"),
    "bad_cost": _l("项目“{pid}”的费用“{value}”不是有效的金额。"),
    "unknown_projects": _l("第 {number} 张选票勾选了项目清单里没有的项目：{ids}。"),
}


def pb_message(exc: rules.PbFormatError) -> str:
    """The fault in Chinese, with its line number where there is one."""
    params = {k: "、".join(map(str, v)) if isinstance(v, list) else v for k, v in exc.params.items()}
    text = PB_FAULTS[exc.kind].format(**params)
    return NOT_PB + (_("第 {line} 行：").format(line=exc.line) if exc.line else "") + text


def _fen(value: rules.Cost, what: str) -> int:
    fen = Fraction(value) * 100
    if fen >= int(MAX_YUAN) * 100:  # 1e30 would overflow the database
        raise DomainError(_("{what}超出合理范围（不超过 {max} 元）。").format(what=what, max=f"{int(MAX_YUAN):,}"))
    if fen.denominator != 1 or fen < 0:
        raise DomainError(_("{what}应为精确到分的金额，文件中是 {v}。").format(what=what, v=value))
    return int(fen)


def parse(text: str) -> rules.Election:
    try:
        election = rules.parse_pb(text if ("\n" in text or "\r" in text) else text + "\n")
    except rules.PbFormatError as exc:
        log.info("refused a .pb file: %s", exc)
        raise DomainError(pb_message(exc)) from exc
    except (ValueError, ArithmeticError) as exc:  # not foreseen by the parser: say little, log all
        log.warning("refused a .pb file for an unforeseen reason: %r", exc)
        raise DomainError(NOT_PB + _("文件内容有误，无法读取。")) from exc
    if not election.projects:
        raise DomainError(_("文件中没有项目。"))
    if len(election.projects) > MAX_ITEMS:
        raise DomainError(_("一份清单最多 {n} 项，文件中有 {m} 项。").format(n=MAX_ITEMS, m=len(election.projects)))
    if len(election.ballots) > MAX_BALLOTS:
        raise DomainError(_("文件中的选票超过 {n} 张。").format(n=MAX_BALLOTS))
    return election


async def import_pb(text: str, *, town_id: int, community_id: int | None = None, title: str = "",
                    actor: Any = None) -> int:
    """A closed round (勾选已结束) with one item per project and one ballot per vote, its result
    published; all or nothing. Returns the round id. The project id is kept in the item's
    description, as the item gets an id of its own."""
    election = parse(text)
    if not await places.town_exists(town_id):
        raise DomainError(_("所选镇（街道）不存在。"))
    community = next((c for c in await places.communities_of(town_id)
                      if community_id is None or c["id"] == community_id), None)
    if community is None:
        raise DomainError(_("所选社区不属于该镇（街道），或该镇（街道）还没有社区。"))
    meta = election.meta
    title = (title or meta.get("instance") or meta.get("description") or _("导入的批次")).strip()[:80]
    budget_fen = _fen(election.budget, _("预算"))
    cost_fen = {pid: _fen(p.cost, _("项目“{pid}”的费用").format(pid=pid)) for pid, p in election.projects.items()}
    max_length = meta.get("max_length", "")
    max_ticks = int(max_length) if max_length.isdigit() and int(max_length) <= MAX_ITEMS else 0
    now = datetime.now(UTC)

    async with Round._meta.db.transaction():
        round_ = Round(town=town_id, title=title, budget_fen=budget_fen, max_ticks=max_ticks,
                       status=RoundStatus.counted, created_by=getattr(actor, "id", None), created_at=now,
                       opened_at=now, closed_at=now)
        await round_.save()
        item_of: dict[str, int] = {}
        for position, project in enumerate(election.projects.values(), 1):
            item = WishItem(round=round_.id, position=position, title=(project.name or project.id)[:80],
                            description=_("Pabulib 项目编号 {pid}").format(pid=project.id),
                            cost_fen=cost_fen[project.id],
                            kind=ItemKind.special)
            await item.save()
            item_of[project.id] = item.id
        ballots = [b for b, w in zip(election.ballots, election.voter_weights(), strict=True) for _copy in range(w)]
        for start in range(0, len(ballots), CHUNK):
            chunk = ballots[start:start + CHUNK]
            receipts = list({codes.new_receipt() for _n in range(len(chunk) + 8)})[: len(chunk)]
            # Secret ids as every other ballot's (db.secret_id): ids from the sequence could clash
            # with them on PostgreSQL.
            ballot_ids = await db.free_secret_ids(Ballot, len(receipts))
            await Ballot.insert(*[Ballot(id=i, round=round_.id, community=community["id"], receipt=r)
                                  for i, r in zip(ballot_ids, receipts, strict=True)]).run()
            ids = dict(zip(receipts, ballot_ids, strict=True))
            ticks = [(ids[r], item_of[p]) for r, b in zip(receipts, chunk, strict=True) for p in b]
            secret_ids = await db.free_secret_ids(BallotChoice, len(ticks))
            choices = [BallotChoice(id=i, ballot=ballot, item=item)
                       for i, (ballot, item) in zip(secret_ids, ticks, strict=True)]
            for at in range(0, len(choices), CHUNK):
                await BallotChoice.insert(*choices[at:at + CHUNK]).run()
        digest = await results.publish(round_.id)
    await audit.record("ballot.round.imported", actor=actor, object_type="round", object_id=round_.id,
                       ballots=len(ballots), projects=len(item_of), digest=digest)
    return round_.id
