"""Pure computations over plain data: codes, deadlines, supervision colours, the rates the street
and district look at. No database, no web: tested on edge cases directly."""
from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from yishi.core import codes

# Defined once in core; kept under these names for the suggestion modules that read them here.
from yishi.core.codes import ALPHABET
from yishi.core.codes import display as display_code  # noqa: F401 (re-exported)
from yishi.core.codes import normalise as normalise_code  # noqa: F401 (re-exported)
from yishi.core.dates import china_date  # noqa: F401 (re-exported)
from yishi.core.dates import today as today_in_china  # noqa: F401 (re-exported)
from yishi.suggestions.enums import FINAL_STATUSES, OPEN_STATUSES, Flag, SuggestionStatus, Track

TRACKING_LENGTH = 8
POINT_CODE_LENGTH = 6


def new_code(length: int = TRACKING_LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def is_plausible_code(code: str, length: int = TRACKING_LENGTH) -> bool:
    return codes.is_plausible(code, length)


def due_date(received_on: date, track: Track, track_days: dict[Track, int]) -> date:
    return received_on + timedelta(days=track_days[track])


def effective_due(due_on: date | None, received_on: date, track_days: dict[Track, int]) -> date:
    """A suggestion not yet graded has no track; it is held to the shortest (即可办) deadline,
    so one left untouched shows up as late rather than vanishing from the rates."""
    return due_on or received_on + timedelta(days=track_days[Track.now])


def flag(status: SuggestionStatus, received_on: date, due_on: date | None, today: date) -> Flag:
    """三色督办: blue as the due date nears (the last fifth of the time, at least one day),
    yellow once it has passed, red when overdue by more than half the time allowed (at least
    three days). Only open suggestions with a due date are flagged."""
    if status not in OPEN_STATUSES or due_on is None:
        return Flag.none
    allowed = max((due_on - received_on).days, 1)
    left = (due_on - today).days
    if left < -max(3, allowed // 2):
        return Flag.red
    if left < 0:
        return Flag.yellow
    if left <= max(1, allowed // 5):
        return Flag.blue
    return Flag.none


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Figures:
    """The numbers for one group (a street, a community, a category, a channel)."""

    cases: int = 0  # suggestions handled as their own case (merged duplicates excluded)
    supporters: int = 0  # residents behind them, merged duplicates included
    graded: int = 0
    answered: int = 0
    answer_due: int = 0  # cases answered, or whose deadline has passed
    answered_on_time: int = 0
    finished: int = 0  # 已办结， 已纳入清单 or 不予采纳
    finished_on_time: int = 0
    resolved: int = 0  # 已办结 or 已纳入清单
    open: int = 0
    overdue: int = 0

    @property
    def response_rate(self) -> float | None:
        """响应率: answered within the deadline, of the cases whose answer is due."""
        return rate(self.answered_on_time, self.answer_due)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.finished_on_time, self.finished)

    @property
    def resolution_rate(self) -> float | None:
        """解决率: resolved (办结 or 纳入清单), of all cases."""
        return rate(self.resolved, self.cases)


@dataclass
class Summary:
    total: Figures = field(default_factory=Figures)
    groups: dict[Any, Figures] = field(default_factory=dict)


def add_case(fig: Figures, row: dict, today: date) -> None:
    """Count one suggestion. `row` holds status, supporters, grade, due (effective due date),
    replied_on and closed_on (dates in China time, or None)."""
    status = SuggestionStatus(row["status"])
    if status is SuggestionStatus.merged:
        return
    fig.cases += 1
    fig.supporters += row["supporters"]
    if row["grade"]:
        fig.graded += 1
    due: date = row["due"]
    replied_on: date | None = row["replied_on"]
    if replied_on is not None:
        fig.answered += 1
    if replied_on is not None or today > due:
        fig.answer_due += 1
        if replied_on is not None and replied_on <= due:
            fig.answered_on_time += 1
    if status in FINAL_STATUSES:
        fig.finished += 1
        if row["closed_on"] is not None and row["closed_on"] <= due:
            fig.finished_on_time += 1
        if status in (SuggestionStatus.closed, SuggestionStatus.listed):
            fig.resolved += 1
    else:
        fig.open += 1
        if today > due:
            fig.overdue += 1


def summarise(rows: Iterable[dict], today: date, key: Callable[[dict], Any] | None = None) -> Summary:
    summary = Summary()
    for row in rows:
        add_case(summary.total, row, today)
        if key is not None:
            add_case(summary.groups.setdefault(key(row), Figures()), row, today)
    return summary
