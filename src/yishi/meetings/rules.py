"""Quorum and majority as pure functions over plain data: no database, no web.

Defaults follow the 5+X practice: a meeting is quorate when every fixed category has someone
present AND more than half of the members are present; an item passes when more than half of
the members present vote 赞成. Both shares are configurable per council. Guests (X invited to
one meeting) are not members: they count towards neither.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from yishi.meetings.enums import FIXED_CATEGORIES, MemberCategory, VoteChoice


@dataclass(frozen=True)
class Rules:
    quorum_share_pct: int = 50  # strictly more than this share of members must be present
    quorum_all_fixed: bool = True  # every fixed category must have someone present
    pass_share_pct: int = 50  # strictly more than this share of those present must vote 赞成

    def __post_init__(self) -> None:
        for value in (self.quorum_share_pct, self.pass_share_pct):
            if not 0 <= value < 100:
                raise ValueError("a share is a whole percentage from 0 to 99")


def more_than(share_pct: int, of: int) -> int:
    """The smallest whole number that is more than share_pct % of `of` (exact, no floats)."""
    return of * share_pct // 100 + 1


@dataclass(frozen=True)
class Quorum:
    met: bool
    members: int
    present: int
    needed: int
    missing: tuple[MemberCategory, ...]  # fixed categories with nobody present (if the rule applies)


def quorum(members: Mapping[int, str], present: Iterable[int], rules: Rules = Rules()) -> Quorum:
    """members: member id -> category value; present: ids of members present (anything else,
    such as a guest or a former member, is ignored)."""
    here = {m for m in present if m in members}
    needed = more_than(rules.quorum_share_pct, len(members))
    categories = {MemberCategory(members[m]) for m in here}
    missing = tuple(c for c in FIXED_CATEGORIES if c not in categories) if rules.quorum_all_fixed else ()
    met = bool(members) and len(here) >= needed and not missing
    return Quorum(met=met, members=len(members), present=len(here), needed=needed, missing=missing)


@dataclass(frozen=True)
class Count:
    yes: int
    no: int
    abstain: int
    present: int
    needed: int
    passed: bool

    @property
    def not_voted(self) -> int:
        return max(self.present - self.yes - self.no - self.abstain, 0)


def count_votes(choices: Iterable[VoteChoice | str], present: int, rules: Rules = Rules()) -> Count:
    """One item's votes. The base is the members present, not the votes cast: an abstention or
    a member who did not vote weighs like a 反对, which is what "more than half of those
    present" means."""
    tally = {c: 0 for c in VoteChoice}
    for choice in choices:
        tally[VoteChoice(choice)] += 1
    needed = more_than(rules.pass_share_pct, present)
    yes = tally[VoteChoice.yes]
    return Count(yes=yes, no=tally[VoteChoice.no], abstain=tally[VoteChoice.abstain], present=present,
                 needed=needed, passed=present > 0 and yes >= needed)
