"""The lists behind the dashboard's figures that no other page lists: residents' ratings (by
street, community, round, project, month, grade, channel) and the ballot codes issued and the
ballots cast per round and community. Plain data; the web layer renders them.

A rating is listed without any order it was written in (its id is random, services): by
project, month, grade and community."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from piccolo.query.functions.aggregate import Count

from yishi.ballots.tables import Ballot, BallotCode
from yishi.core.errors import DomainError
from yishi.core.i18n import _
from yishi.evaluation.enums import RatingChannel, Satisfaction
from yishi.evaluation.tables import Rating

# "residents": the residents' own ratings (online and paper), the ones 满意率 is computed from;
# telephone follow-ups are counted apart (rules.Tally).
CHANNELS = ("residents", *(c.value for c in RatingChannel))


@dataclass(frozen=True)
class RatingFilters:
    town: int | None = None
    month: str = ""
    round: int | None = None
    community: int | None = None
    project: int | None = None
    grade: str = ""
    channel: str = ""

    def query(self, **override) -> str:
        values = {**self.__dict__, **override}
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def check(f: RatingFilters) -> RatingFilters:
    """Refuse, in Chinese, a grade or a channel that does not exist (a list that quietly showed
    every rating instead would pass for the figure that links to it)."""
    if f.grade and f.grade not in {g.value for g in Satisfaction}:
        raise DomainError(_("评价结果只能是满意、基本满意或不满意（satisfied、basic、unsatisfied）。"))
    if f.channel and f.channel not in CHANNELS:
        raise DomainError(_("评价渠道只能是居民评价、网上、纸质或电话回访（residents、online、paper、telephone）。"))
    return f


def channel_label(value: str) -> str:
    return _("居民评价（网上和纸质）") if value == "residents" else RatingChannel(value).label


async def ratings(district_id: int, f: RatingFilters) -> list[dict]:
    """The district's ratings matching the filters (town, month, round, community, project,
    grade, channel), each with its project, street and community names."""
    q = Rating.select(
        Rating.project, Rating.project.title.as_alias("project_title"),
        Rating.project._.round._.town.name.as_alias("town_name"), Rating.community.name.as_alias("community_name"),
        Rating.grade, Rating.channel, Rating.month, Rating.comment,
    ).where(Rating.project._.round._.town.district == district_id)
    if f.town is not None:
        q = q.where(Rating.project._.round.town == f.town)
    if f.month:
        q = q.where(Rating.month == f.month)
    if f.round is not None:
        q = q.where(Rating.project.round == f.round)
    if f.community is not None:
        q = q.where(Rating.community == f.community)
    if f.project is not None:
        q = q.where(Rating.project == f.project)
    if f.grade:
        q = q.where(Rating.grade == f.grade)
    if f.channel == "residents":
        q = q.where(Rating.channel != RatingChannel.telephone.value)
    elif f.channel:
        q = q.where(Rating.channel == f.channel)
    rows = await q.order_by(Rating.project).order_by(Rating.month, ascending=False).order_by(Rating.grade).order_by(
        Rating.community).run()
    for r in rows:
        r["grade_label"], r["channel_label"] = Satisfaction(r["grade"]).label, RatingChannel(r["channel"]).label
    return rows


async def turnout(town_ids: list[int]) -> list[dict]:
    """Per round and community of these streets: ballot codes issued and ballots cast (the
    dashboard's 发出选票码 and 投票数 are their sums)."""
    ids = list(town_ids) or [-1]
    issued = await BallotCode.select(
        BallotCode.round, BallotCode.round.title.as_alias("round_title"),
        BallotCode.round._.town.name.as_alias("town_name"), BallotCode.community,
        BallotCode.community.name.as_alias("community_name"), Count(alias="n"),
    ).where(BallotCode.round.town.is_in(ids)).group_by(
        BallotCode.round, BallotCode.round.title, BallotCode.round._.town.name, BallotCode.community,
        BallotCode.community.name).run()
    cast = {(r["round"], r["community"]): r["n"] for r in await Ballot.select(
        Ballot.round, Ballot.community, Count(alias="n")).where(Ballot.round.town.is_in(ids)).group_by(
        Ballot.round, Ballot.community).run()}
    rows = [{"round": r["round"], "round_title": r["round_title"], "town_name": r["town_name"],
             "community_name": r["community_name"], "issued": r["n"],
             "cast": cast.pop((r["round"], r["community"]), 0)} for r in issued]
    # Ballots without codes of their own (imported from a .pb file) still count.
    for (round_id, _community), n in cast.items():
        rows.append({"round": round_id, "round_title": "", "town_name": "", "community_name": "",
                     "issued": 0, "cast": n})
    return sorted(rows, key=lambda r: (r["town_name"], r["round"], r["community_name"]))
