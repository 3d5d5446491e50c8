"""The rates of 接诉即办 cases (办件三率) as pure functions over plain rows: per unit, community,
street, district and collector team, per month; the monthly ranking of units and collector
teams with the ones to be called in (约谈). No database: tested directly
(tests/evaluation/test_case_rules.py).

A month runs from 00:00 China time on its first day to 00:00 on the first of the next. Each
rate counts each case once, in the month its own event falls in:
- 响应率 = cases signed for (签收) by their acceptance time ÷ cases dispatched in the month whose
  acceptance was due (signed for, or the acceptance time passed). A case still inside its
  acceptance time is not held against the unit yet; a case sent back (退单) or sent up (提级)
  before anyone signed has no acceptance time left and waits on the street, not on a unit.
- 办结率 (the 解决率 of the three rates) = cases closed ÷ cases whose deadline fell in the month.
  Counted by deadline rather than by dispatch so that a case dispatched on the 30th with ten
  working days is not "unsettled" in a month it was never due in, and each case is judged once,
  in the month it had to be done by. A deadline of 00:00 on the 1st is the end of the last day
  of the month before (cases.rules.end_of_day), so it belongs to that month.
- 按期办结率 = cases closed by their deadline ÷ cases closed in the month.
- 满意率 = (满意 + 基本满意) ÷ residents' ratings of the cases given in the month, as 评实效
  counts it (evaluation.rules.Counts; telephone 回访 counted apart).
A rate with nothing to count is None (shown as —), never 0/0."""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time

from yishi.core.dates import CHINA
from yishi.core.i18n import _
from yishi.evaluation.rules import Counts, change_points, month_bounds, pct_text
from yishi.suggestions.rules import rate


def definitions() -> dict[str, str]:
    return {
        "response": _("响应率 = 按时签收的工单 ÷ 本月派单且已到签收时限（或已签收）的工单"),
        "closure": _("办结率（即三率中的解决率）= 已办结的工单 ÷ 办理期限在本月的工单；按期限所在月份计，"
                     "月底派出、下月才到期的工单算在下月，每件只算一次"),
        "on_time": _("按期办结率 = 在办理期限内办结的工单 ÷ 本月办结的工单"),
        "satisfaction": _("满意率 =（满意 + 基本满意）÷ 本月居民对工单的评价（电话回访另计）"),
    }


def month_span(month: str) -> tuple[datetime, datetime]:
    """The month as [start, end) in China time, as aware datetimes."""
    first = month_bounds(month)[0]
    nxt = month_bounds(next_month(month))[0]
    return datetime.combine(first, time(0), tzinfo=CHINA), datetime.combine(nxt, time(0), tzinfo=CHINA)


def next_month(month: str) -> str:
    year, m = int(month[:4]), int(month[5:7])
    return f"{year + 1}-01" if m == 12 else f"{year}-{m + 1:02d}"


@dataclass(frozen=True)
class CaseRow:
    """What the rates read of one case: its times (aware datetimes or None)."""

    dispatched_at: datetime | None = None
    accept_by: datetime | None = None
    accepted_at: datetime | None = None
    due_at: datetime | None = None
    closed_at: datetime | None = None


@dataclass
class CaseFigures:
    dispatched: int = 0  # dispatched in the month: the group's volume (接诉量)
    accept_due: int = 0
    accepted_on_time: int = 0
    due: int = 0  # deadline in the month
    due_closed: int = 0
    closed: int = 0  # closed in the month
    closed_on_time: int = 0
    ratings: Counts = field(default_factory=Counts)
    telephone: Counts = field(default_factory=Counts)

    @property
    def response(self) -> float | None:
        return rate(self.accepted_on_time, self.accept_due)

    @property
    def closure(self) -> float | None:
        return rate(self.due_closed, self.due)

    @property
    def on_time(self) -> float | None:
        return rate(self.closed_on_time, self.closed)

    @property
    def satisfaction(self) -> float | None:
        return self.ratings.satisfaction

    @property
    def score(self) -> float | None:
        """The ranking's number: the mean of the three rates (响应率, 办结率, 满意率) that have data."""
        return mean((self.response, self.closure, self.satisfaction))

    @property
    def empty(self) -> bool:
        return not (self.dispatched or self.accept_due or self.due or self.closed or self.ratings.total
                    or self.telephone.total)


def mean(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


Events = tuple[int, int, int, int, int, int, int]
COUNTED = ("dispatched", "accept_due", "accepted_on_time", "due", "due_closed", "closed", "closed_on_time")


def events(row: CaseRow, start: datetime, end: datetime, now: datetime) -> Events | None:
    """What one case adds to its groups' figures for the month [start, end), as of `now`, in the
    order of COUNTED; None when it adds nothing."""
    dispatched = accept_due = on_time = due = due_closed = closed = closed_on_time = 0
    d, closed_at, due_at = row.dispatched_at, row.closed_at, row.due_at
    if d is not None and start <= d < end:
        dispatched = 1
        if row.accept_by is not None and (row.accepted_at is not None or row.accept_by < now):
            accept_due = 1
            on_time = int(row.accepted_at is not None and row.accepted_at <= row.accept_by)
    # (start, end]: a deadline at 00:00 on the 1st is the last day of the month before.
    if due_at is not None and start < due_at <= end:
        due, due_closed = 1, int(closed_at is not None)
    if closed_at is not None and start <= closed_at < end:
        closed, closed_on_time = 1, int(due_at is not None and closed_at <= due_at)
    if not (dispatched or due or closed):
        return None
    return dispatched, accept_due, on_time, due, due_closed, closed, closed_on_time


def add_events(fig: CaseFigures, e: Events) -> None:
    fig.dispatched += e[0]
    fig.accept_due += e[1]
    fig.accepted_on_time += e[2]
    fig.due += e[3]
    fig.due_closed += e[4]
    fig.closed += e[5]
    fig.closed_on_time += e[6]


def tally_keys(cases: Iterable[tuple[Iterable[Hashable], CaseRow]], month: str,
               now: datetime) -> dict[Hashable, CaseFigures]:
    """(group keys, case) pairs -> figures per key for the month: a case counts for each of its
    keys (its unit, its community, its street), worked out once."""
    start, end = month_span(month)
    out: dict[Hashable, CaseFigures] = {}
    for keys, row in cases:
        e = events(row, start, end, now)
        if e is not None:
            for key in keys:
                add_events(out.setdefault(key, CaseFigures()), e)
    return out


def tally(rows: Iterable[tuple[Hashable, CaseRow]], month: str, now: datetime) -> dict[Hashable, CaseFigures]:
    """(group key, case) pairs -> figures per key for the month."""
    return tally_keys((((key,), row) for key, row in rows), month, now)


def add_ratings(fig: CaseFigures, residents: Counts, telephone: Counts) -> None:
    fig.ratings = fig.ratings + residents
    fig.telephone = fig.telephone + telephone


# --- 双考核: the case meetings' scores ----------------------------------------------------------

@dataclass(frozen=True)
class MeetingScore:
    score: float | None
    summoned: int
    absent: int


def meeting_score(summons: Iterable[dict]) -> MeetingScore:
    """A unit's 会商 score for the month as a fraction: each summons it came to (报到) and the
    street scored counts its response score (1–5) out of 5; each it did not come to counts 0; one
    it came to but not yet scored is left out. score None with nothing to count."""
    got, counted, summoned, absent = 0.0, 0, 0, 0
    for s in summons:
        summoned += 1
        if not s.get("reported"):
            absent += 1
            counted += 1
        elif s.get("response_score") is not None:
            got += s["response_score"] / 5
            counted += 1
    return MeetingScore(got / counted if counted else None, summoned, absent)


def prep_score(scores: Iterable[int | None]) -> float | None:
    """The street's preparation of its meetings as the summoned units scored it (1–5), as a
    fraction: the mean of the scores given."""
    given = [s / 5 for s in scores if s is not None]
    return sum(given) / len(given) if given else None


# --- the ranking -------------------------------------------------------------------------------

@dataclass(frozen=True)
class RankRule:
    """Who is ranked and who is flagged, per district (evaluation.case_settings):
    - ranked: at least `min_cases` cases dispatched in the month (fewer say little);
    - 末位: the last `bottom_n` ranked whose score is also below `bottom_below` (a district where
      all do well calls nobody in for being last by a point);
    - 接诉量前列: the `top_volume_n` with most cases dispatched, flagged for a warning talk
      (seed 003: 接诉量前十 → 预警约谈) whatever their rates."""

    min_cases: int = 3
    bottom_n: int = 3
    bottom_below: float = 0.9
    top_volume_n: int = 3

    def describe(self) -> str:
        parts = [_("本月派单不少于 {m} 件的才参加排名；"
                   "综合得分 = 响应率、办结率、满意率（单位另加会商评分）中有数据者的平均。").format(m=self.min_cases)]
        if self.bottom_n:
            parts.append(_("排名最后 {b} 名且综合得分低于 {p}% 的标为“末位”。").format(
                b=self.bottom_n, p=pct_text(self.bottom_below)))
        if self.top_volume_n:
            parts.append(_("本月派单量最多的 {v} 个标为“接诉量前列”。").format(v=self.top_volume_n))
        if self.bottom_n or self.top_volume_n:
            parts.append(_("被标记的单位可约谈。"))
        return "".join(parts).strip()  # each part a sentence: the English ones end with a space


@dataclass(frozen=True)
class RankedRow:
    key: Hashable
    score: float | None
    rank: int | None  # None: not ranked (too few cases, or no rate at all)
    change: float | None  # 环比 in percentage points
    volume: int
    bottom: bool
    top_volume: bool

    @property
    def flagged(self) -> bool:
        return self.bottom or self.top_volume


def rank(scores: dict[Hashable, float | None], volumes: dict[Hashable, int], previous: dict[Hashable, float | None],
         rule: RankRule) -> list[RankedRow]:
    """Best first; equal scores share a rank (1, 2, 2, 4); the unranked last, by volume."""
    eligible = [k for k in scores if scores[k] is not None and volumes.get(k, 0) >= rule.min_cases]
    eligible.sort(key=lambda k: (-round(scores[k] or 0, 9), str(k)))
    ranks: dict[Hashable, int] = {}
    for i, k in enumerate(eligible):
        tie = i > 0 and round(scores[k] or 0, 9) == round(scores[eligible[i - 1]] or 0, 9)
        ranks[k] = ranks[eligible[i - 1]] if tie else i + 1
    # In the last bottom_n places: fewer than bottom_n ranked below it (a tie is not split).
    worse = {k: sum(1 for o in eligible if round(scores[o] or 0, 9) < round(scores[k] or 0, 9)) for k in eligible}
    bottom = {k for k in eligible
              if worse[k] < rule.bottom_n and round(scores[k] or 0, 9) < round(rule.bottom_below, 9)}
    by_volume = sorted((k for k in scores if volumes.get(k, 0) > 0), key=lambda k: (-volumes[k], str(k)))
    top = set(by_volume[:rule.top_volume_n]) if rule.top_volume_n > 0 else set()
    rest = sorted((k for k in scores if k not in ranks), key=lambda k: (-volumes.get(k, 0), str(k)))
    return [RankedRow(k, scores[k], ranks.get(k), change_points(scores[k], previous.get(k)), volumes.get(k, 0),
                      k in bottom, k in top) for k in [*eligible, *rest]]
