"""民情热度表: pure computations over counts (no database, no web), tested on edge cases.

Weeks run Monday to Sunday (China time). The early warning compares the last seven days of one
category in one community with the same category's seven-day counts in that community over the
weeks before; the reports use it on each calendar week (a window ending on its Sunday)."""
from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from yishi.core.i18n import _


def week_of(day: date) -> date:
    """The Monday of the week `day` falls in: a week's key."""
    return day - timedelta(days=day.weekday())


def weeks_back(last: date, n: int) -> list[date]:
    """The Mondays of the n weeks ending with `last`'s week, oldest first."""
    end = week_of(last)
    return [end - timedelta(weeks=i) for i in range(n - 1, -1, -1)]


def windows_back(end: date, n: int) -> list[tuple[date, date]]:
    """n windows of seven days ending on `end`, the most recent last: (first day, last day)."""
    return [(end - timedelta(days=7 * i + 6), end - timedelta(days=7 * i)) for i in range(n - 1, -1, -1)]


@dataclass(frozen=True)
class WarningRule:
    """A count warns when it reaches `factor` times the median of the `weeks` weeks before it, and
    is at least `min_count`. Weeks before the street's first suggestion are not history: with no
    history at all there is no usual level to rise above, and nothing warns."""

    factor: float = 3.0
    min_count: int = 5
    weeks: int = 8

    def threshold(self, history: Sequence[int]) -> float | None:
        """The count at which a warning fires, or None without history."""
        if not history:
            return None
        return max(float(self.min_count), self.factor * statistics.median(history))

    def fires(self, count: int, history: Sequence[int]) -> bool:
        limit = self.threshold(history)
        return limit is not None and count >= limit

    def describe(self) -> str:
        return _("某社区某类建议近 7 天的件数达到该社区该类前 {w} 周每周件数中位数的 {f} 倍，且不少于 {m} 件时预警"
                 "（没有往周记录的不预警；中位数为 0 时达到 {m} 件即预警）。").format(
            w=self.weeks, f=factor_text(self.factor), m=self.min_count)


def factor_text(factor: float) -> str:
    return f"{factor:g}"


@dataclass(frozen=True)
class Warning:
    key: Any  # (community id, category id) or whatever the caller counts by
    count: int
    median: float
    threshold: float
    history: tuple[int, ...]


def warnings(current: Mapping[Any, int], history: Mapping[Any, Sequence[int]], n_windows: int,
             rule: WarningRule) -> list[Warning]:
    """Every key whose current count fires the rule, the largest rise first. `history` holds, per
    key, its counts in the `n_windows` windows before (a key absent from it counted none in them);
    n_windows = 0: no history (the street's first week), nothing warns."""
    out = []
    for key, count in current.items():
        past = list(history.get(key) or [0] * n_windows)[-n_windows:] if n_windows else []
        limit = rule.threshold(past)
        if limit is not None and count >= limit:
            out.append(Warning(key, count, statistics.median(past), limit, tuple(past)))
    out.sort(key=lambda w: (-(w.count - w.median), -w.count, str(w.key)))
    return out


@dataclass(frozen=True)
class Ranked:
    key: Any
    this: int
    last: int
    rank: int

    @property
    def change(self) -> int:
        return self.this - self.last


def top(this: Mapping[Any, int], last: Mapping[Any, int], n: int = 10) -> list[Ranked]:
    """The n keys most frequent this period, with last period's count beside; ties share a rank
    and are ordered by key, so the list is the same on every run."""
    ordered = sorted(((k, v) for k, v in this.items() if v > 0), key=lambda kv: (-kv[1], str(kv[0])))[:n]
    out, rank, previous = [], 0, None
    for i, (key, count) in enumerate(ordered, start=1):
        if count != previous:
            rank, previous = i, count
        out.append(Ranked(key, count, last.get(key, 0), rank))
    return out


def bucket(rows: Iterable[Mapping], key, buckets: Sequence[tuple[date, date]]) -> dict[Any, list[int]]:
    """Counts per key per bucket (first day, last day; both included) from rows of (day, n, ...):
    rows grouped by day in SQL, summed here into weeks or windows."""
    out: dict[Any, list[int]] = {}
    for row in rows:
        day = row["day"]
        for i, (first, last) in enumerate(buckets):
            if first <= day <= last:
                out.setdefault(key(row), [0] * len(buckets))[i] += row["n"]
                break
    return out


def level(count: int, peak: int) -> int:
    """The shade of a 热度表 cell, 0 (none) to 4 (the period's peak): quarters of the highest
    count shown, so the eye finds the hot spots before reading the figures."""
    if count <= 0 or peak <= 0:
        return 0
    return min(4, 1 + (4 * count - 1) // peak)
