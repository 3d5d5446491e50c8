"""Counting rules for approval ballots: greedy, Method of Equal Shares, Pabulib I/O.

Pure functions over plain data; nothing here knows about the database or the web.

Money is exact (``int`` or ``fractions.Fraction``) everywhere: MES compares ratios
that tie exactly in real elections, and floats would break those ties differently
from the reference implementation (pabutools), which uses exact rationals.

Project ids are strings and are only ever compared as strings ('10' < '9').
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import compress
from operator import add, mul
from pathlib import Path
from typing import Union

Cost = Union[int, Fraction]

__all__ = [
    "Cost",
    "Project",
    "Election",
    "approval_counts",
    "greedy",
    "greedy_variant",
    "mes",
    "mes_plain",
    "mes_add1",
    "parse_pb",
    "write_pb",
]


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


def as_exact(value: object) -> Cost:
    """Turn a number or numeric string into an int, or a Fraction when not integral.

    Floats go through ``str`` so that ``4000.1`` means 4000.1 and not its binary
    approximation. A decimal comma is accepted, as in some Pabulib files.
    """
    if isinstance(value, bool):
        raise TypeError("a boolean is not an amount of money")
    if isinstance(value, int):
        return value
    if isinstance(value, Fraction):
        frac = value
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite amount: {value!r}")
        frac = Fraction(str(value))
    elif isinstance(value, str):
        text = value.strip().replace(",", ".")
        if not text:
            raise ValueError("empty amount")
        frac = Fraction(text)
    else:
        frac = Fraction(value)  # type: ignore[arg-type]
    return frac.numerator if frac.denominator == 1 else frac


@dataclass(frozen=True)
class Project:
    id: str
    cost: Cost
    name: str = ""
    # Other Pabulib columns (category, selected, ...) kept verbatim for export.
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Election:
    """One approval election.

    ``weights`` are voter multiplicities (a weight of 3 is three identical voters);
    ``None`` means every ballot counts once. Every ballot counts towards the number
    of voters that share the budget in MES, empty ones included.
    """

    projects: dict[str, Project]
    budget: Cost
    ballots: list[frozenset[str]]
    meta: dict[str, str] = field(default_factory=dict)
    weights: list[int] | None = None
    voter_ids: list[str] | None = None

    def __post_init__(self) -> None:
        self.budget = as_exact(self.budget)
        self.ballots = [frozenset(b) for b in self.ballots]
        for pid, project in self.projects.items():
            if pid != project.id:
                raise ValueError(f"project key {pid!r} differs from its id {project.id!r}")
        unknown = set().union(*self.ballots) - self.projects.keys() if self.ballots else set()
        if unknown:
            raise ValueError(f"ballots approve unknown projects: {sorted(unknown)[:5]}")
        if self.weights is not None:
            if len(self.weights) != len(self.ballots):
                raise ValueError("weights and ballots differ in length")
            if any(not isinstance(w, int) or isinstance(w, bool) or w < 0 for w in self.weights):
                raise ValueError("weights must be non-negative integers")
        if self.voter_ids is not None and len(self.voter_ids) != len(self.ballots):
            raise ValueError("voter_ids and ballots differ in length")

    @classmethod
    def from_costs(
        cls,
        costs: Mapping[str, object],
        budget: object,
        ballots: Iterable[Iterable[str]],
        *,
        names: Mapping[str, str] | None = None,
        meta: Mapping[str, str] | None = None,
        weights: list[int] | None = None,
    ) -> Election:
        """Shorthand for building an election from ``{id: cost}``."""
        names = names or {}
        projects = {
            str(pid): Project(str(pid), as_exact(cost), names.get(pid, "")) for pid, cost in costs.items()
        }
        return cls(projects, as_exact(budget), [frozenset(b) for b in ballots], dict(meta or {}), weights)

    def voter_weights(self) -> list[int]:
        return self.weights if self.weights is not None else [1] * len(self.ballots)

    def total_voters(self) -> int:
        return sum(self.weights) if self.weights is not None else len(self.ballots)

    def cost_of(self, selected: Iterable[str]) -> Cost:
        return sum((self.projects[p].cost for p in selected), 0)


def approval_counts(election: Election) -> dict[str, int]:
    """Weighted number of approvals per project (0 for projects nobody approved)."""
    counts = dict.fromkeys(election.projects, 0)
    # Counting distinct ballots first is much cheaper on real data, where a few
    # popular combinations repeat thousands of times.
    grouped: Counter[frozenset[str]] = Counter()
    for ballot, weight in zip(election.ballots, election.voter_weights()):
        grouped[ballot] += weight
    for ballot, weight in grouped.items():
        for pid in ballot:
            counts[pid] += weight
    return counts


# ---------------------------------------------------------------------------
# Greedy
# ---------------------------------------------------------------------------


def _greedy_order(election: Election, counts: Mapping[str, int]) -> list[str]:
    return sorted(election.projects, key=lambda pid: (-counts[pid], pid))


def _greedy_fill(
    election: Election,
    order: Iterable[str],
    chosen: list[str],
    *,
    no_skip: bool = False,
) -> list[str]:
    chosen = list(chosen)
    taken = set(chosen)
    remaining = election.budget - election.cost_of(chosen)
    for pid in order:
        if pid in taken:
            continue
        cost = election.projects[pid].cost
        if cost <= remaining:
            chosen.append(pid)
            taken.add(pid)
            remaining -= cost
        elif no_skip:
            break
    return chosen


def greedy(election: Election) -> list[str]:
    """Most approved first (ties: smaller id as a string); skip what no longer fits.

    Equals pabutools ``greedy_utilitarian_welfare`` with ``Cost_Sat``.
    """
    return _greedy_fill(election, _greedy_order(election, approval_counts(election)), [])


def _meta_threshold(meta: Mapping[str, str]) -> Cost:
    raw = (meta.get("min_project_score_threshold") or "").strip()
    if not raw or raw.lower() == "none":
        return 0
    return as_exact(raw)


def greedy_variant(
    election: Election,
    *,
    threshold: object | None = None,
    no_skip: bool | None = None,
) -> list[str]:
    """Greedy with the city's own details, read from META unless given.

    ``min_project_score_threshold``: projects with fewer approvals are not eligible.
    ``rule = greedy-no-skip``: stop at the first eligible project that does not fit,
    instead of trying cheaper ones further down.
    """
    limit = _meta_threshold(election.meta) if threshold is None else as_exact(threshold)
    if no_skip is None:
        no_skip = election.meta.get("rule", "").strip().lower() == "greedy-no-skip"
    counts = approval_counts(election)
    eligible = [pid for pid in _greedy_order(election, counts) if counts[pid] >= limit]
    return _greedy_fill(election, eligible, [], no_skip=no_skip)


# ---------------------------------------------------------------------------
# Method of Equal Shares (cost utilities)
# ---------------------------------------------------------------------------
#
# Voters with the same ballot always hold the same budget, so MES runs over
# weighted ballot classes, and within a run a project's supporters are grouped
# by budget ("budget groups": voters who backed the same funded projects). A
# price is then found from a few (budget, count) pairs, not thousands of voters.
#
# Add1 re-runs MES with the per-voter budget B raised by 1 each time, and most
# raises change nothing. So one run covers a whole window of budgets
# [B0, B1]: every budget and price is carried as an affine lower and upper
# bound in B over the window (stored as its values at both ends, integers in a
# fine fixed-point unit, rounded outwards). A round is certified when one
# project's highest possible price ratio stays below every other project's
# lowest possible one over the whole window; if all rounds are, every budget in
# the window has that same outcome, exactly. A window that cannot be certified
# is halved, down to a single budget, and a single budget that still cannot be
# certified (an exact tie) is run with exact fractions. The bounds used:
#   * price from below: for any set P of supporters, sum(min(b, q)) <=
#     sum_P(b) + (n - |P|) q, so (cost - sum_P b) / (n - |P|) <= q for every B;
#   * price from above: the price is decreasing in each budget, and convex in B
#     when budgets are affine in B, so the chord of the price computed from the
#     lower budgets lies above it;
#   * after paying, a budget is max(0, b - q): convex, so a chord bounds it from
#     above, and either 0 or b - q from below.

Num = Union[int, Fraction]
_FIXED_POINT = 2**48  # units per (scaled) currency unit in certified runs


@dataclass(frozen=True)
class _MesInput:
    ids: list[str]  # candidates sorted as strings: the index is the tie-break rank
    costs: list[int]  # in units of 1/money_scale
    supporters: list[list[int]]  # project -> ballot classes approving it
    neighbours: list[list[int]]  # project -> projects sharing a supporter with it
    single_supporters: list[list[int]]  # supporters split by class weight 1 ...
    repeated_supporters: list[list[tuple[int, int]]]  # ... or more, with the weight
    class_projects: list[tuple[int, ...]]
    class_weight: list[int]
    approvals: list[int]
    n_voters: int
    budget: int  # in units of 1/money_scale
    money_scale: int  # makes every cost and the budget whole


def _mes_input(election: Election) -> _MesInput:
    counts = approval_counts(election)
    # pabutools leaves out projects nobody approved and free projects: with cost
    # utilities a free project gives zero satisfaction, so it has no supporters.
    ids = sorted(pid for pid, p in election.projects.items() if p.cost > 0 and counts[pid] > 0)
    index = {pid: i for i, pid in enumerate(ids)}
    classes: Counter[tuple[int, ...]] = Counter()
    for ballot, weight in zip(election.ballots, election.voter_weights()):
        key = tuple(sorted(index[p] for p in ballot if p in index))
        if key and weight:
            classes[key] += weight
    class_projects = list(classes)
    supporters: list[list[int]] = [[] for _ in ids]
    for c, projs in enumerate(class_projects):
        for p in projs:
            supporters[p].append(c)
    neighbours: list[set[int]] = [set() for _ in ids]
    for projs in class_projects:
        for p in projs:
            neighbours[p].update(projs)
    costs = [Fraction(election.projects[pid].cost) for pid in ids]
    weights = list(classes.values())
    scale = math.lcm(Fraction(election.budget).denominator, *(c.denominator for c in costs))
    return _MesInput(
        ids=ids,
        costs=[int(c * scale) for c in costs],
        supporters=supporters,
        neighbours=[sorted(n) for n in neighbours],
        single_supporters=[[c for c in cs if weights[c] == 1] for cs in supporters],
        repeated_supporters=[[(c, weights[c]) for c in cs if weights[c] != 1] for cs in supporters],
        class_projects=class_projects,
        class_weight=weights,
        approvals=[counts[pid] for pid in ids],
        n_voters=election.total_voters(),
        budget=int(election.budget * scale),
        money_scale=scale,
    )


def _floor_div(num: int, den: int) -> int:
    return num // den


def _ceil_div(num: int, den: int) -> int:
    return -(-num // den)


@dataclass(frozen=True)
class _Window:
    """Per-voter budgets B0 + step*t for t in [0, 1], and how a run divides."""

    lo: tuple[Num, Num]  # lower bound on the starting budget at both ends
    hi: tuple[Num, Num]
    unit: int  # costs are multiplied by this to match the budgets' unit
    exact: bool
    down: Callable[[Num, int], Num]  # a budget after paying, rounded down (or exact)
    up: Callable[[Num, int], Num]
    first: int  # the Add1 steps covered
    last: int


def _window(data: _MesInput, first: int, last: int, exact: bool = False) -> _Window:
    """Add1 steps ``first..last`` (per-voter budget budget/n + step)."""
    if exact:
        if first != last:
            raise ValueError("exact runs cover a single budget")
        start = Fraction(data.budget, data.n_voters) + first * data.money_scale
        return _Window((start, start), (start, start), 1, True, Fraction, Fraction, first, last)
    unit = _FIXED_POINT
    base = data.budget * unit
    low, high = base // data.n_voters, _ceil_div(base, data.n_voters)
    step = data.money_scale * unit
    return _Window(
        (low + first * step, low + last * step),
        (high + first * step, high + last * step),
        unit,
        False,
        _floor_div,
        _ceil_div,
        first,
        last,
    )


# A price as numerator and voter count: kept unrounded, so that the exact ties of
# real elections (same number of supporters, nobody short of money) stay ties.
_Ratio = tuple[Num, int]


@dataclass(frozen=True)
class _Bounds:
    """Bounds on what each non-poor supporter pays for a project, at both ends."""

    lo: tuple[_Ratio, _Ratio]
    hi: tuple[_Ratio, _Ratio] | None  # None: it might not be affordable everywhere


@dataclass(frozen=True)
class _Groups:
    """One project's supporters as parallel lists, one entry per budget group."""

    lo0: list[Num]  # lower budget bound at the window's start
    lo1: list[Num]  # ... and at its end
    hi0: list[Num]
    hi1: list[Num]
    voters: list[int]
    total: int


def _weighted(values: list[Num], voters: list[int]) -> Num:
    return sum(map(mul, values, voters))


def _poor(values: list[Num], voters: list[int], total: int, cost: Num) -> tuple[list[int], _Ratio] | None:
    """Groups that pay all they have, and the price the others pay; None if unaffordable.

    Starting from "nobody is short", each pass moves every group below the price
    into the poor set; the price only rises and settles on the exact one, where
    the poor are exactly the groups below it. A few C-level passes beat sorting.
    """
    weighted = list(map(mul, values, voters))
    if sum(weighted) < cost:
        return None
    positions = range(len(values))
    poor: list[int] = []
    num, den = cost, total
    while True:
        # b < num/den, as b < ceil(num/den) for whole budgets
        limit = -(-num // den) if isinstance(num, int) else Fraction(num, den)
        below = list(compress(positions, map(limit.__gt__, values)))
        if len(below) == len(poor):
            return poor, (num, den)
        poor = below
        num = cost - sum(map(weighted.__getitem__, poor))
        den = total - sum(map(voters.__getitem__, poor))


def _price_bounds(groups: _Groups, cost: Num, win: _Window) -> _Bounds | None:
    """Bounds on a project's price over the window; None if surely unaffordable."""
    if win.exact:
        found = _poor(groups.lo0, groups.voters, groups.total, cost)
        return None if found is None else _Bounds((found[1],) * 2, (found[1],) * 2)
    if _weighted(groups.hi0, groups.voters) < cost and _weighted(groups.hi1, groups.voters) < cost:
        return None
    return _Bounds(_price_floor(groups, cost), _price_ceiling(groups, cost, win))


def _price_floor(groups: _Groups, cost: Num) -> tuple[_Ratio, _Ratio]:
    # Take as P the groups that pay everything at the window's middle under the
    # upper budgets; any P gives a valid bound, a well-chosen one a tight bound.
    mid = list(map(add, groups.hi0, groups.hi1))
    found = _poor(mid, groups.voters, groups.total, 2 * cost)
    if found is not None:
        poor = found[0]
    else:
        top = max(mid)
        poor = [i for i, v in enumerate(mid) if v != top]
    n_rich = groups.total - sum(groups.voters[i] for i in poor)
    return (
        (cost - sum(groups.hi0[i] * groups.voters[i] for i in poor), n_rich),
        (cost - sum(groups.hi1[i] * groups.voters[i] for i in poor), n_rich),
    )


def _price_ceiling(groups: _Groups, cost: Num, win: _Window) -> tuple[_Ratio, _Ratio] | None:
    at_start = _poor(groups.lo0, groups.voters, groups.total, cost)
    if at_start is None:
        return None
    if win.lo[0] == win.lo[1] and groups.lo0 == groups.lo1:
        return at_start[1], at_start[1]
    at_end = _poor(groups.lo1, groups.voters, groups.total, cost)
    return None if at_end is None else (at_start[1], at_end[1])


def _mid_ratio(pair: tuple[_Ratio, _Ratio]) -> float:
    (a, m), (b, n) = pair
    return a / m + b / n


def _narrow_ratio(pair: tuple[_Ratio, _Ratio], i: int, j: int, length: int) -> tuple[_Ratio, _Ratio]:
    """The affine bound through ``pair`` (at 0 and 1), at i/length and j/length, exactly."""
    (a, m), (b, n) = pair
    return (
        (a * n * (length - i) + b * m * i, m * n * length),
        (a * n * (length - j) + b * m * j, m * n * length),
    )


def _narrow_line(
    start: list[Num], end: list[Num], i: int, j: int, length: int, div: Callable[[Num, int], Num]
) -> tuple[list[Num], list[Num]]:
    return (
        [x + div((y - x) * i, length) for x, y in zip(start, end)],
        [x + div((y - x) * j, length) for x, y in zip(start, end)],
    )


class _Run:
    """One MES run over a window of Add1 steps, one round at a time."""

    def __init__(self, data: _MesInput, win: _Window) -> None:
        self.data = data
        self.win = win
        self.costs = [c * win.unit for c in data.costs]
        # Budget groups, each as bounds at both ends of the window.
        self.lo0: list[Num] = [win.lo[0]]
        self.lo1: list[Num] = [win.lo[1]]
        self.hi0: list[Num] = [win.hi[0]]
        self.hi1: list[Num] = [win.hi[1]]
        self.group_of_bounds: dict[tuple[Num, Num, Num, Num], int] = {(*win.lo, *win.hi): 0}
        self.class_group = [0] * len(data.class_projects)
        # project -> {group: voters}, recounted only when a funded project shared
        # supporters with it since the last count
        self.members: list[dict[int, int]] = [{0: a} for a in data.approvals]
        self.stale_members: set[int] = set()
        self.alive = set(range(len(data.ids)))  # neither funded nor out of reach for good
        self.bounds: dict[int, _Bounds] = {}  # latest; stale ones stay valid lower bounds
        self.funded: list[int] = []

    def narrowed(self, first: int, last: int) -> _Run:
        """A copy for the steps first..last inside this window.

        The funded projects are known for the whole window, so their payments
        are simply redone over the narrower window, which gives tighter bounds
        than cutting down the wide window's. Other projects keep their lower
        price bounds, cut down to the narrower window.
        """
        win = self.win
        length, i, j = win.last - win.first, first - win.first, last - win.first
        copy = _Run(self.data, _window(self.data, first, last))
        for project in self.funded:
            if not copy._replay(project):
                return self._cut(first, last)
        copy.alive = set(self.alive)
        copy.bounds = {
            p: _Bounds(_narrow_ratio(b.lo, i, j, length), None) for p, b in self.bounds.items() if p in self.alive
        }
        return copy

    def _replay(self, project: int) -> bool:
        found = self._refresh(project, set())
        if found is None or found.hi is None:
            return False
        self._pay(project)
        self.funded.append(project)
        self.alive.discard(project)
        return True

    def _cut(self, first: int, last: int) -> _Run:
        """A copy for the steps first..last with this window's bounds cut down to them."""
        win = self.win
        length, i, j = win.last - win.first, first - win.first, last - win.first
        copy = object.__new__(_Run)
        copy.data, copy.costs = self.data, self.costs
        copy.win = _Window(
            (win.lo[0] + (win.lo[1] - win.lo[0]) * i // length, win.lo[0] + (win.lo[1] - win.lo[0]) * j // length),
            (
                win.hi[0] + _ceil_div((win.hi[1] - win.hi[0]) * i, length),
                win.hi[0] + _ceil_div((win.hi[1] - win.hi[0]) * j, length),
            ),
            win.unit,
            win.exact,
            win.down,
            win.up,
            first,
            last,
        )
        copy.lo0, copy.lo1 = _narrow_line(self.lo0, self.lo1, i, j, length, _floor_div)
        copy.hi0, copy.hi1 = _narrow_line(self.hi0, self.hi1, i, j, length, _ceil_div)
        # Cut-down groups may coincide; they just stay separate.
        copy.group_of_bounds = {}
        copy.class_group = list(self.class_group)
        copy.members = list(self.members)  # dicts are replaced, never changed in place
        copy.stale_members = set(self.stale_members)
        copy.alive = set(self.alive)
        copy.bounds = {p: _Bounds(_narrow_ratio(b.lo, i, j, length), None) for p, b in self.bounds.items()}
        copy.funded = list(self.funded)
        return copy

    def next_round(self) -> bool | None:
        """Fund the next project: True if one was, False if the run is over, None if
        the window is too wide to tell which one it is."""
        fresh: set[int] = set()
        best = self._front_runner(fresh)
        if best is None:
            return None if self.alive else False
        winner = self._certify(best, fresh)
        if winner is None:
            return None
        self._pay(winner)
        self.funded.append(winner)
        self.alive.discard(winner)
        return True

    def _refresh(self, p: int, fresh: set[int]) -> _Bounds | None:
        if p in self.stale_members:
            self._recount(p)
        members = self.members[p]
        ids = list(members)
        voters = list(members.values())
        groups = _Groups(
            list(map(self.lo0.__getitem__, ids)),
            list(map(self.lo1.__getitem__, ids)),
            list(map(self.hi0.__getitem__, ids)),
            list(map(self.hi1.__getitem__, ids)),
            voters,
            self.data.approvals[p],
        )
        found = _price_bounds(groups, self.costs[p], self.win)
        fresh.add(p)
        if found is None:
            # Budgets only shrink during a run, so out of reach now means for good.
            self.alive.discard(p)
            self.bounds.pop(p, None)
        else:
            self.bounds[p] = found
        return found

    def _stale_key(self, p: int) -> float:
        known = self.bounds.get(p)
        return -1.0 if known is None else _mid_ratio(known.lo) / self.costs[p]

    def _better(self, p: int, than: int) -> bool:
        """p's upper price ratio (summed over both ends) below than's; ties by id."""
        hp, ht = self.bounds[p].hi, self.bounds[than].hi
        assert hp is not None and ht is not None
        left = (Fraction(*hp[0]) + Fraction(*hp[1])) * self.costs[than]
        right = (Fraction(*ht[0]) + Fraction(*ht[1])) * self.costs[p]
        return left < right or (left == right and p < than)

    def _loses(self, p: int, to: int) -> bool:
        """Whether p surely is not preferred to ``to`` anywhere in the window."""
        lo, hi = self.bounds[p].lo, self.bounds[to].hi
        assert hi is not None
        cp, ct = self.costs[p], self.costs[to]
        (l0, m0), (l1, m1) = lo
        (h0, n0), (h1, n1) = hi
        # l/m * ct against h/n * cp, cross-multiplied (m, n > 0)
        if p > to:
            return l0 * n0 * ct >= h0 * m0 * cp and l1 * n1 * ct >= h1 * m1 * cp
        return l0 * n0 * ct > h0 * m0 * cp and l1 * n1 * ct > h1 * m1 * cp

    def _front_runner(self, fresh: set[int]) -> int | None:
        """Best surely-affordable project, re-pricing only those that might beat it."""
        best: int | None = None
        best_key = math.inf
        for p in sorted(self.alive, key=self._stale_key):
            if best is not None and self._stale_key(p) > best_key:
                break
            found = self._refresh(p, fresh)
            if found is not None and found.hi is not None and (best is None or self._better(p, best)):
                best = p
                best_key = _mid_ratio(found.hi) / self.costs[p]
        return best

    def _certify(self, best: int, fresh: set[int]) -> int | None:
        """The round's winner if every other project surely loses to it, else None."""
        while True:
            challenger = None
            for p in list(self.alive):
                if p == best or p not in self.alive or self._loses(p, best):
                    continue
                if p not in fresh and (self._refresh(p, fresh) is None or self._loses(p, best)):
                    continue
                challenger = p
                break
            if challenger is None:
                return best
            if self.bounds[challenger].hi is None or not self._better(challenger, best):
                return None
            best = challenger

    def _pay(self, winner: int) -> None:
        """Charge the winner's supporters and split their budget groups."""
        bounds = self.bounds[winner]
        assert bounds.hi is not None
        (lq0, ld0), (lq1, ld1) = bounds.lo
        (hq0, hd0), (hq1, hd1) = bounds.hi
        lo0, lo1, hi0, hi1 = self.lo0, self.lo1, self.hi0, self.hi1
        groups = list(self.members[winner])
        # left = max(0, b - q): below by 0 or by b - q, above by the chord.
        if self.win.exact:
            price = Fraction(hq0, hd0)
            left = [max(b - price, 0) for b in map(lo0.__getitem__, groups)]
            keys = [(x, x, x, x) for x in left]
        else:
            low = [
                (a0, a1) if a0 + a1 > 0 else (0, 0)
                for a0, a1 in zip(
                    [(b * hd0 - hq0) // hd0 for b in map(lo0.__getitem__, groups)],
                    [(b * hd1 - hq1) // hd1 for b in map(lo1.__getitem__, groups)],
                )
            ]
            high0 = [max(-((lq0 - b * ld0) // ld0), 0) for b in map(hi0.__getitem__, groups)]
            high1 = [max(-((lq1 - b * ld1) // ld1), 0) for b in map(hi1.__getitem__, groups)]
            keys = [(a0, a1, b0, b1) for (a0, a1), b0, b1 in zip(low, high0, high1)]
        split: dict[int, int] = {}
        known = self.group_of_bounds
        for g, key in zip(groups, keys):
            # Voters left with the same budget bounds share a group from now on.
            new = known.get(key)
            if new is None:
                new = known[key] = len(lo0)
                lo0.append(key[0])
                lo1.append(key[1])
                hi0.append(key[2])
                hi1.append(key[3])
            split[g] = new
        class_group = self.class_group
        supporters = self.data.supporters[winner]
        for c, g in zip(supporters, list(map(split.__getitem__, map(class_group.__getitem__, supporters)))):
            class_group[c] = g
        self.stale_members.update(self.data.neighbours[winner])

    def _recount(self, p: int) -> None:
        class_group = self.class_group
        # Counter counts single voters in C; only repeated ballots need a loop.
        counts = Counter(map(class_group.__getitem__, self.data.single_supporters[p]))
        for c, weight in self.data.repeated_supporters[p]:
            counts[class_group[c]] += weight
        self.members[p] = counts
        self.stale_members.discard(p)


def _outcomes(run: _Run) -> Iterator[tuple[int, list[int]]]:
    """(last step, funded) for consecutive stretches of the run's window, in order.

    Where the window is too wide to tell the next project, it is split in two
    and both halves carry on from this round; a single step that rounding cannot
    settle (an exact tie) is rerun with exact fractions.
    """
    while True:
        settled = run.next_round()
        if settled is False:
            yield run.win.last, run.funded
            return
        if settled is None:
            first, last = run.win.first, run.win.last
            if first == last:
                exact = _Run(run.data, _window(run.data, first, last, exact=True))
                while exact.next_round():
                    pass
                yield last, exact.funded
                return
            middle = (first + last) // 2
            yield from _outcomes(run.narrowed(first, middle))
            yield from _outcomes(run.narrowed(middle + 1, last))
            return


def _outcome_at(data: _MesInput, step: int) -> list[int]:
    return next(_outcomes(_Run(data, _window(data, step, step))))[1]


def _over_budget(data: _MesInput, funded: list[int]) -> bool:
    return sum(data.costs[p] for p in funded) > data.budget


def _is_exhaustive(data: _MesInput, funded: list[int]) -> bool:
    left = data.budget - sum(data.costs[p] for p in funded)
    taken = set(funded)
    return all(data.costs[p] > left for p in range(len(data.ids)) if p not in taken)


def _mes_add1_run(data: _MesInput) -> list[int]:
    """pabutools ``voter_budget_increment=1``: the last outcome before overspending.

    Stepping by 1, it stops at the first step whose outcome is over the budget
    (returning the previous outcome) or exhaustive (returning it). Windows of
    steps with one certified outcome are passed in one go.
    """
    step, span = 0, 1
    previous: list[int] = []
    while True:
        for last, funded in _outcomes(_Run(data, _window(data, step, step + span))):
            if _over_budget(data, funded):
                return previous
            if _is_exhaustive(data, funded):
                return funded
            previous = funded
            step = last + 1
        # Outcomes rarely change from one step to the next: try longer stretches.
        span *= 2


def mes(election: Election, add1: bool = True, fill: bool = True) -> list[str]:
    """Method of Equal Shares with cost utilities, as pabutools computes it.

    ``add1``: Add1 completion (per-voter budget raised by 1 while within budget).
    ``fill``: then spend what is left greedily by approvals (equalshares.net default).
    Returns project ids in the order they were funded.
    """
    data = _mes_input(election)
    if data.n_voters == 0 or not data.ids:
        funded: list[str] = []
    elif add1:
        funded = [data.ids[p] for p in _mes_add1_run(data)]
    else:
        funded = [data.ids[p] for p in _outcome_at(data, 0)]
    if fill:
        funded = _greedy_fill(election, _greedy_order(election, approval_counts(election)), funded)
    return funded


def mes_plain(election: Election) -> list[str]:
    """MES without any completion."""
    return mes(election, add1=False, fill=False)


def mes_add1(election: Election) -> list[str]:
    """MES with Add1 completion, not filled up."""
    return mes(election, add1=True, fill=False)


# ---------------------------------------------------------------------------
# Pabulib (.pb)
# ---------------------------------------------------------------------------

_SECTIONS = ("meta", "projects", "votes")
_APPROVAL_TYPES = ("approval", "choose-1")


def _missing(cell: str) -> bool:
    return not cell or cell.lower() == "none"


def _read_text(text_or_path: str | Path) -> str:
    if isinstance(text_or_path, Path):
        return text_or_path.read_text(encoding="utf-8-sig")
    # A file's content always has a line break; a path never does.
    if "\n" not in text_or_path and "\r" not in text_or_path:
        return Path(text_or_path).read_text(encoding="utf-8-sig")
    return text_or_path.removeprefix("\ufeff")


def _sections(text: str) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Split a .pb text into {section: (header, rows)}; blank rows dropped."""
    out: dict[str, tuple[list[str], list[list[str]]]] = {}
    rows: list[list[str]] | None = None
    expect_header = False
    # newline="" hands the csv module raw line ends, so CRLF, LF, a mix of both
    # and line breaks inside quoted cells all read correctly.
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=";"):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if cells[0].lower() in _SECTIONS and not any(cells[1:]):
            rows = []
            out[cells[0].lower()] = ([], rows)
            expect_header = True
        elif rows is None:
            raise ValueError(f"content before the first section: {row!r}")
        elif expect_header:
            out[next(reversed(out))][0].extend(c.lower() for c in cells)
            expect_header = False
        else:
            rows.append(cells)
    for name in _SECTIONS:
        if name not in out:
            raise ValueError(f"missing {name.upper()} section")
    return out


def _parse_meta(rows: list[list[str]]) -> dict[str, str]:
    # An unquoted ';' inside a value would split it; keep the rest together.
    return {row[0]: ";".join(row[1:]) for row in rows}


def _parse_projects(header: list[str], rows: list[list[str]]) -> dict[str, Project]:
    for required in ("project_id", "cost"):
        if required not in header:
            raise ValueError(f"PROJECTS has no {required} column")
    projects: dict[str, Project] = {}
    for row in rows:
        cells = dict(zip(header, row))
        pid = cells["project_id"]
        if _missing(pid):
            raise ValueError(f"project without an id: {row!r}")
        if pid in projects:
            raise ValueError(f"duplicate project id {pid!r}")
        if _missing(cells.get("cost", "")):
            raise ValueError(f"project {pid!r} has no cost")
        name = cells.get("name", "")
        extra = {
            k: v for k, v in cells.items() if k not in ("project_id", "cost", "name") and not _missing(v)
        }
        projects[pid] = Project(pid, as_exact(cells["cost"]), "" if _missing(name) else name, extra)
    return projects


def _parse_votes(
    header: list[str], rows: list[list[str]], projects: Mapping[str, Project]
) -> tuple[list[frozenset[str]], list[str]]:
    if "vote" not in header:
        raise ValueError("VOTES has no vote column")
    vote_at = header.index("vote")
    id_at = header.index("voter_id") if "voter_id" in header else None
    ballots: list[frozenset[str]] = []
    voter_ids: list[str] = []
    for number, row in enumerate(rows, 1):
        cell = row[vote_at] if vote_at < len(row) else ""
        ballot = frozenset() if _missing(cell) else frozenset(p.strip() for p in cell.split(",") if p.strip())
        unknown = ballot - projects.keys()
        if unknown:
            raise ValueError(f"vote {number} approves unknown projects {sorted(unknown)}")
        ballots.append(ballot)
        voter_ids.append(row[id_at] if id_at is not None and id_at < len(row) else str(number))
    return ballots, voter_ids


def parse_pb(text_or_path: str | Path) -> Election:
    """Read a Pabulib file (a path, or the file's text) with approval ballots."""
    sections = _sections(_read_text(text_or_path))
    meta = _parse_meta(sections["meta"][1])
    vote_type = meta.get("vote_type", "approval").strip().lower()
    if vote_type not in _APPROVAL_TYPES:
        raise ValueError(f"only approval ballots are supported, not {vote_type!r}")
    if _missing(meta.get("budget", "")):
        raise ValueError("META has no budget")
    projects = _parse_projects(*sections["projects"])
    ballots, voter_ids = _parse_votes(*sections["votes"], projects)
    return Election(projects, as_exact(meta["budget"]), ballots, meta, None, voter_ids)


def _format_amount(value: Cost) -> str:
    value = as_exact(value)
    if isinstance(value, int):
        return str(value)
    # Exact decimal when one exists; otherwise n/d, which Fraction and gmpy2 both read.
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    scaled = value * 10**places
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


_META_FIRST = ("description", "country", "unit", "instance")


def write_pb(election: Election) -> str:
    """Serialise to Pabulib text (LF line ends, ';' separated, quoted as needed).

    Counts, budget and vote type are written from the data, not copied from META.
    Weighted voters are written as that many identical rows.
    """
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=";", lineterminator="\n")
    counts = approval_counts(election)
    rows = _vote_rows(election)

    meta = {key: election.meta.get(key, "") for key in _META_FIRST}
    meta.update(election.meta)
    meta["num_projects"] = str(len(election.projects))
    meta["num_votes"] = str(len(rows))
    meta["budget"] = _format_amount(election.budget)
    meta["vote_type"] = "approval"
    out.writerow(["META"])
    out.writerow(["key", "value"])
    out.writerows(meta.items())

    extra_keys: list[str] = []
    for project in election.projects.values():
        extra_keys.extend(k for k in project.extra if k not in extra_keys and k != "votes")
    out.writerow(["PROJECTS"])
    out.writerow(["project_id", "cost", "votes", "name", *extra_keys])
    for pid, project in election.projects.items():
        extras = [project.extra.get(k, "None") for k in extra_keys]
        out.writerow([pid, _format_amount(project.cost), counts[pid], project.name, *extras])

    out.writerow(["VOTES"])
    out.writerow(["voter_id", "vote"])
    out.writerows(rows)
    return buffer.getvalue()


def _vote_rows(election: Election) -> list[tuple[str, str]]:
    ids = election.voter_ids or [str(i) for i in range(1, len(election.ballots) + 1)]
    order = {pid: i for i, pid in enumerate(election.projects)}
    rows: list[tuple[str, str]] = []
    for voter, ballot, weight in zip(ids, election.ballots, election.voter_weights()):
        vote = ",".join(sorted(ballot, key=order.__getitem__))
        rows.extend((voter if copy == 0 else f"{voter}#{copy + 1}", vote) for copy in range(weight))
    return rows
