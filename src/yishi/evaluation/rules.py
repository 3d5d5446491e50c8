"""Pure computations of 评实效 over plain data: the 满意率, the next-year advice, the monthly
ranking's bands and 环比, the ledger's due dates and colours, observers' weighted scores.

The 响应率 and 解决率 are the suggestions domain's (suggestions.rules.Figures); only the 满意率 is
defined here. Rates are fractions (0.0–1.0) or None when there is nothing to divide by: "no
ratings" is shown as "—", never as 0 %."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

from yishi.core.i18n import _
from yishi.evaluation.enums import Advice, Band, CaseColour, RatingChannel, Satisfaction
from yishi.projects.enums import ProjectState
from yishi.projects.rules import Calendar
from yishi.suggestions.rules import rate


def definitions() -> dict[str, str]:
    """The one definition of each rate, shown beside the figure on every page. 响应率 and 解决率
    restate suggestions.rules.Figures.response_rate / resolution_rate, which compute them."""
    return {
        "response": _("响应率 = 按期答复的诉求 ÷ 已答复或已过答复期限的诉求（合并的重复诉求不计）"),
        "resolution": _("解决率 = 已办结或已纳入清单的诉求 ÷ 全部诉求（合并的重复诉求不计）"),
        "satisfaction": _("满意率 =（满意 + 基本满意）÷ 全部评价（网上与纸质；电话回访另计）"),
    }


@dataclass(frozen=True)
class Counts:
    """Residents' ratings of one group (online and paper). Telephone follow-ups are counted apart
    (`Tally.telephone`): a call the street makes is not a rating the resident chose to give."""

    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0

    @property
    def total(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied

    @property
    def satisfaction(self) -> float | None:
        """满意率 = (满意 + 基本满意) ÷ all ratings."""
        return rate(self.satisfied + self.basic, self.total)

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.satisfied + other.satisfied, self.basic + other.basic,
                      self.unsatisfied + other.unsatisfied)


@dataclass(frozen=True)
class Tally:
    residents: Counts = Counts()
    telephone: Counts = Counts()


def tally(ratings: Iterable[tuple[str, str]]) -> Tally:
    """(grade, channel) pairs -> residents' counts and telephone counts."""
    res = {g: 0 for g in Satisfaction}
    tel = {g: 0 for g in Satisfaction}
    for grade, channel in ratings:
        (tel if RatingChannel(channel) is RatingChannel.telephone else res)[Satisfaction(grade)] += 1
    return Tally(Counts(res[Satisfaction.satisfied], res[Satisfaction.basic], res[Satisfaction.unsatisfied]),
                 Counts(tel[Satisfaction.satisfied], tel[Satisfaction.basic], tel[Satisfaction.unsatisfied]))


# --- next year ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class AdviceRule:
    """深化推广 at or above `extend_at` with at least `min_ratings` ratings; 次年退出 below it with
    enough ratings; 待观察 with fewer."""

    extend_at: float = 0.9
    min_ratings: int = 10

    def describe(self) -> str:
        return _("满意率不低于 {p}% 且评价不少于 {n} 条：深化推广；评价不少于 {n} 条但满意率低于 {p}%：次年退出；"
                 "评价少于 {n} 条：待观察。").format(p=pct_text(self.extend_at), n=self.min_ratings)


def advise(state: ProjectState, counts: Counts, rule: AdviceRule) -> Advice | None:
    """None for a project not (or no longer) written off: a reopened project is judged again
    once it is written off again."""
    if state is not ProjectState.written_off:
        return None
    if counts.total < rule.min_ratings or counts.total == 0:
        return Advice.watch
    # Compared in whole numbers, so 9 of 10 is exactly 90 % and a tie is "at or above".
    if (counts.satisfied + counts.basic) * 1000 >= round(rule.extend_at * 1000) * counts.total:
        return Advice.extend
    return Advice.drop


def pct_text(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value * 100:.{digits}f}".rstrip("0").rstrip(".")
    return text


# --- the monthly ranking -------------------------------------------------------------------------

@dataclass(frozen=True)
class BandRule:
    """先进类 at or above `advanced_at`; otherwise 进步类 when the score rose by at least
    `improving_points` percentage points on last month (环比); 整改类 below `rectify_below`."""

    advanced_at: float = 0.9
    improving_points: float = 5.0
    rectify_below: float = 0.7

    def describe(self) -> str:
        return _("综合得分 = 三率中有数据者的平均。综合得分不低于 {a}%：先进类；"
                 "否则环比上升不少于 {i} 个百分点：进步类；否则低于 {r}%：整改类。").format(
            a=pct_text(self.advanced_at), i=pct_text(self.improving_points / 100), r=pct_text(self.rectify_below))


def score(rates: Iterable[float | None]) -> float | None:
    """The ranking's one number: the mean of the three rates that have data."""
    known = [r for r in rates if r is not None]
    return sum(known) / len(known) if known else None


def change_points(now: float | None, before: float | None) -> float | None:
    """环比 in percentage points; None when either month has no score."""
    if now is None or before is None:
        return None
    return round((now - before) * 100, 1)


def band(now: float | None, change: float | None, rule: BandRule) -> Band:
    if now is None:
        return Band.none
    if round(now, 6) >= round(rule.advanced_at, 6):
        return Band.advanced
    if change is not None and change >= rule.improving_points:
        return Band.improving
    if round(now, 6) < round(rule.rectify_below, 6):
        return Band.rectify
    return Band.none


K = TypeVar("K")


@dataclass(frozen=True)
class Ranked(Generic[K]):
    key: K
    score: float | None
    rank: int | None
    change: float | None
    band: Band


def rank(scores: dict[K, float | None], previous: dict[K, float | None], rule: BandRule) -> list[Ranked[K]]:
    """Streets by score, best first; equal scores share a rank (1, 2, 2, 4); streets without a
    score come last, unranked."""
    known = sorted(((k, s) for k, s in scores.items() if s is not None), key=lambda ks: -ks[1])
    out: list[Ranked[K]] = []
    for i, (k, score) in enumerate(known):
        tie = i > 0 and round(score, 9) == round(known[i - 1][1], 9)
        position = out[-1].rank if tie else i + 1
        change = change_points(score, previous.get(k))
        out.append(Ranked(k, score, position, change, band(score, change, rule)))
    out += [Ranked(k, None, None, None, Band.none) for k in scores if scores[k] is None]
    return out


def previous_month(month: str) -> str:
    year, m = int(month[:4]), int(month[5:7])
    return f"{year - 1}-12" if m == 1 else f"{year}-{m - 1:02d}"


def month_bounds(month: str) -> tuple[date, date]:
    year, m = int(month[:4]), int(month[5:7])
    first = date(year, m, 1)
    nxt = date(year + 1, 1, 1) if m == 12 else date(year, m + 1, 1)
    return first, nxt - timedelta(days=1)


# --- the ledger of unsatisfied cases ---------------------------------------------------------------


def case_colour(*, answered: bool, due: date, today: date, red_after: int, calendar: Calendar) -> CaseColour:
    """Yellow once the due date has passed unanswered, red once it is more than `red_after`
    working days late."""
    if answered:
        return CaseColour.answered
    if today <= due:
        return CaseColour.open
    if calendar.workdays_after(due, today, limit=red_after) > red_after:
        return CaseColour.red
    return CaseColour.yellow


# --- observers -----------------------------------------------------------------------------------

def weighted_score(system: list[dict], scores: dict[str, int]) -> float:
    """An observer's total on the 100-point scale: each indicator's 1–5 as a share of its weight.
    `system` is the snapshot [{"name", "weight"}], `scores` name -> 1..5."""
    total_weight = sum(i["weight"] for i in system)
    if not total_weight:
        return 0.0
    got = sum(i["weight"] * scores[i["name"]] / 5 for i in system)
    return round(got * 100 / total_weight, 1)
