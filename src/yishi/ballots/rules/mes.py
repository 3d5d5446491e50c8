"""Method of Equal Shares (cost utilities, Add1 completion), as pabutools computes it."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import chain, compress, count, repeat
from operator import add, and_, eq, gt, mul, ne
from time import thread_time
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from yishi.ballots.rules.greedy import fill_up
from yishi.ballots.rules.model import Election, _distinct_ballots

if TYPE_CHECKING:
    from yishi.ballots.rules.mes_lanes import Lanes

# Voters with the same ballot always hold the same budget, so MES runs over
# weighted ballot classes, and within a run a project's supporters are grouped
# by budget ("budget groups": voters who backed the same funded projects). A
# price is then found from a few hundred (budget, count) pairs at most, not from
# thousands of voters, and a project is re-priced lazily, only when its last
# price could still beat the round's front-runner (as pabutools does too).
#
# Add1 re-runs MES with the per-voter budget B raised by 1 each time, and most
# raises change nothing. So one run covers a whole window of steps: every budget
# and price is carried as an affine lower and upper bound in B over the window,
# stored as its values at both ends (integers in a fine fixed-point unit,
# rounded outwards; prices as unrounded numerator/count pairs). A round is
# certified when one project's highest possible price ratio stays below every
# other project's lowest possible one over the whole window; if every round is,
# every step in the window has that outcome, exactly as computed one step at a
# time. Where a round cannot be certified, the window is split in two and each
# half carries on from that round (the funded projects so far are the same for
# both, so their payments are redone over the narrower window for tighter
# bounds). A single step that still cannot be certified (an exact tie broken
# by id) is run again in exact integers (_one_step). The bounds used:
#   * price from below: for any set P of supporters, sum(min(b, q)) <=
#     sum_P(b) + (n - |P|) q, so (cost - sum_P b) / (n - |P|) <= q for every B;
#   * price from above: the price is decreasing in each budget, and convex in B
#     when budgets are affine in B, so the chord of the price computed from the
#     lower budgets lies above it;
#   * after paying, a budget is max(0, b - q): convex in B, so a chord bounds it
#     from above, and either 0 or b - q from below;
#   * prices only rise during a run, so a stale lower bound stays a lower bound.
#
# The outcome does not change only where some project's affordability does: a
# project with poor supporters has a price that falls as B rises, so it can
# overtake one whose price is fixed at any budget. Hence windows certified by
# bounds, not a list of affordability thresholds. How much they skip depends on
# the election: Bialoleka's 190 Add1 steps have 74 different outcomes, but
# Toulouse's 670 steps have 513 (measured December 2026), so there the time goes
# into the rounds of nearly every step, and splitting only shares their prefix.
#
# Add1 needs the outcome of each step only to know whether it stops there (over
# the budget, or exhaustive). So a window whose round cannot be certified is not
# always split down to the steps where the outcome changes: every path the rest
# of the run may take at some step of the window is followed instead (a project
# is left out of a round only where a surely affordable one beats it at every
# step, and a run may end where nothing is surely affordable), and if none of
# these outcomes stops Add1, none of the window's steps does, and the window is
# passed over with its outcomes unknown. A path is a superset: it pays a project
# over the whole window though only some steps fund it, which is sound as bounds
# hold for all of them. Budapest 2024's Add1 climbs 32,000 steps whose outcome
# changes 124 times, each found by some nine splits; passing over windows of up
# to a few hundred steps takes it from 18 to about 10 s (December 2026).
#
# Paths that fund the same projects in another order split the voters alike, so
# they are followed as one from there (_Run.joined, with the looser of both
# bounds): over half the rounds of Budapest's paths came back to a set of
# projects already met. In large elections (256 ballot classes and more, from
# step 512 or 0.2 s of CPU on) the classes' budget groups are counted and moved
# in numpy, every window picks the finest fixed point under which its sums stay
# in machine words, and a project's price over 64 groups and more is found in
# numpy int64 (exact, as every sum is below 2**62). Together these halve
# Budapest's time: 19.8 s before them, 9.3-11.9 s after, on the same machine
# (December 2026; the time varies as the choice between windows and lanes
# follows the clock). Keeping the groups' bounds in int64 arrays throughout
# (_Run.vector), not in lists turned into arrays for each price, took it from
# 6.6-7.4 s to 2.9 s on a faster day.

try:  # what Counter counts with, without Counter's own checks (a third of a small count)
    from _collections import _count_elements  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - other Pythons

    def _count_elements(mapping: dict[int, int], iterable: Iterable[int]) -> None:
        for item in iterable:
            mapping[item] = mapping.get(item, 0) + 1


_FIXED_POINT_MOST = 48  # bits of the fixed point per (scaled) currency unit in certified runs, at most
_FIXED_POINT_LEAST = 20  # ... and at least


_EXPANDED = 16  # classes of up to this many voters are counted voter by voter
_ALL_NEIGHBOURS = 256  # ballot classes up to which every project counts as every one's neighbour


@dataclass(frozen=True)
class _MesInput:
    ids: list[str]  # candidates sorted as strings: the index is the tie-break rank
    costs: list[int]  # in units of 1/money_scale
    supporters: list[list[int]]  # project -> ballot classes approving it
    neighbours: list[list[int]]  # project -> projects sharing a supporter with it
    # Supporters for counting by budget group: a class of a few voters is listed
    # once per voter (counted in C), a larger one once with its weight.
    single_supporters: list[list[int]]
    repeated_supporters: list[list[tuple[int, int]]]
    class_weight: list[int]
    approvals: list[int]
    n_voters: int
    budget: int  # in units of 1/money_scale
    money_scale: int  # makes every cost and the budget whole
    # Large elections on a long climb: each project's supporting classes and their
    # weights as numpy arrays, for counting budget groups and moving classes
    # between them in C (set by _with_arrays, for the windows from then on).
    arrays: _Arrays | None = None


class _Arrays(NamedTuple):
    supporters: list[Any]  # project -> numpy array of classes
    weights: list[Any]  # project -> numpy array of their weights, as floats (exact)


_RUNS = count()  # names runs apart (_Run.lineage)

_ARRAYS_FROM = 256  # ballot classes from which budget groups are counted with numpy ...
_ARRAYS_AFTER = 512  # ... once Add1 has climbed this many steps (numpy loads in 0.1-0.3 s)


def _with_arrays(data: _MesInput) -> _MesInput:
    """``data`` with numpy arrays for counting budget groups, where they pay.

    Budapest 2024 (20,132 classes) counts its groups 2 times faster in numpy than
    with Counter's C loop, and moves classes to their new groups 10 times faster
    than in a Python loop (December 2026). Small elections, and large ones that
    finish within a few hundred steps and 0.2 s of CPU, never load numpy for it.
    Since windows keep their groups in arrays too (_Run.vector), smaller elections
    on a long climb gain as well: Warszawa 2017 Srodmiescie (5,765 voters) 1.46 ->
    0.92 s, Toulouse 2022 3.9 -> 3.0 s, SF Tenderloin 2022 (1,169 voters, 3,273
    steps) 2.2 -> 1.05 s; from 64 classes, nothing more (December 2026). Its one
    caller, _mes_add1_run, decides when, reading the clock only where it may.
    """
    import numpy as np  # noqa: PLC0415 — loaded only for large elections on a long climb

    weight = np.asarray(data.class_weight, dtype=np.float64)
    classes = [np.asarray(cs, dtype=np.intp) for cs in data.supporters]
    return replace(data, arrays=_Arrays(classes, [weight[cs] for cs in classes]))


class _Tally(NamedTuple):
    """An election's distinct ballots (those with voters and some project) and approvals."""

    ballots: list[frozenset[str]]
    weights: list[int]  # voters per ballot
    supporters: dict[str, list[int]]  # every project -> the ballots approving it, in order
    counts: dict[str, int]  # every project -> its voters (as approval_counts)


def _supporters(ballots: list[frozenset[str]], pids: Iterable[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {pid: [] for pid in pids}
    for c, ballot in enumerate(ballots):
        for pid in ballot:
            found[pid].append(c)
    return found


def _tally(election: Election) -> _Tally:
    """The ballots MES runs over, and the approvals _candidates and fill_up need: one
    pass over the distinct ballots' ids serves both (counting approvals on their own
    took 15-20 of the 330 us of MES on Mechanical Turk k-approval 3, December 2026)."""
    if election.weights is None:
        # Counted in C into a plain dict: Counter's own checks were a fifth of MES on
        # a one-project file of 8 voters (Warszawa 2018 Pole Mokotowskie, December 2026).
        kept: dict[frozenset[str], int] = {}
        _count_elements(kept, election.ballots)
    else:
        kept = +_distinct_ballots(election)  # those with voters
    kept.pop(frozenset(), None)
    ballots, weights = list(kept), list(kept.values())
    supporters = _supporters(ballots, election.projects)
    counts = {pid: len(cs) for pid, cs in supporters.items()}  # then the further voters
    for ballot, weight in zip(ballots, weights, strict=True):
        if weight > 1:
            for pid in ballot:
                counts[pid] += weight - 1
    return _Tally(ballots, weights, supporters, counts)


def _candidates(election: Election, counts: Mapping[str, int]) -> list[str]:
    """Projects MES can fund, sorted as strings (the index is the tie-break rank).

    pabutools leaves out projects nobody approved and free projects: with cost
    utilities a free project gives zero satisfaction, so it has no supporters.
    """
    return sorted(pid for pid, p in election.projects.items() if p.cost > 0 and counts[pid] > 0)


def _mes_input(election: Election, tally: _Tally, ids: list[str]) -> _MesInput:
    # Ballot classes: ballots alike on the candidates, kept as frozensets of ids
    # (ranking and sorting each ballot's ids for a key took half of building
    # Mechanical Turk's input, December 2026). Only an approved free project, not a
    # candidate (_candidates), can make two distinct ballots alike.
    if len(ids) == sum(map(bool, tally.counts.values())):
        ballots, weights = tally.ballots, tally.weights
        supporters = list(map(tally.supporters.__getitem__, ids))
    else:
        known = frozenset(ids)
        classes: dict[frozenset[str], int] = {}
        for ballot, weight in zip(tally.ballots, tally.weights, strict=True):
            key = ballot if ballot <= known else ballot & known
            classes[key] = classes.get(key, 0) + weight
        classes.pop(frozenset(), None)
        ballots, weights = list(classes), list(classes.values())
        supporters = list(_supporters(ballots, ids).values())
    # A project's neighbours: the projects on its supporters' ballots (C-level unions).
    # They only say whose counts and prices a payment may have changed, so every
    # project will do where there are few ballot classes (Mechanical Turk: 70 of
    # them, their unions a quarter of building the input, December 2026).
    if len(ballots) <= _ALL_NEIGHBOURS:
        everyone = list(range(len(ids)))
        neighbours = [everyone] * len(ids)
    else:
        # Unions of tuples of ranks: 5 times faster than of the ballots' frozensets of
        # ids, and faster than of lists, on Budapest 2024 (20,132 classes, December 2026).
        rank = {pid: i for i, pid in enumerate(ids)}.__getitem__
        ranked = [tuple(map(rank, ballot)) for ballot in ballots]
        neighbours = [list(set(chain.from_iterable(map(ranked.__getitem__, cs)))) for cs in supporters]
    raw = [election.projects[pid].cost for pid in ids]
    if isinstance(election.budget, int) and all(isinstance(c, int) for c in raw):
        scale = 1  # whole amounts, as in nearly every Pabulib file: no fractions to build
        costs, budget = cast(list[int], raw), election.budget
    else:
        fractions = [Fraction(c) for c in raw]
        scale = math.lcm(Fraction(election.budget).denominator, *(c.denominator for c in fractions))
        costs, budget = [int(c * scale) for c in fractions], int(election.budget * scale)
    if any(w > _EXPANDED for w in weights):
        # Each class as it is listed among single supporters: once per voter, or not at all.
        singles = [[c] * w if w <= _EXPANDED else [] for c, w in enumerate(weights)]
        single_supporters = [list(chain.from_iterable(map(singles.__getitem__, cs))) for cs in supporters]
        repeated = [[(c, weights[c]) for c in cs if weights[c] > _EXPANDED] for cs in supporters]
    else:
        # Every class once, then once more for each further voter: the same counts,
        # met in the same order, and most classes of small elections are one voter.
        extra: dict[str, list[int]] = {pid: [] for pid in ids}
        for c, w in enumerate(weights):
            if w > 1:
                for pid in ballots[c]:
                    extra[pid] += [c] * (w - 1)
        single_supporters = [cs + more if more else cs for cs, more in zip(supporters, extra.values(), strict=True)]
        repeated = [[] for _ in ids]
    return _MesInput(
        ids=ids,
        costs=costs,
        supporters=supporters,
        neighbours=neighbours,
        single_supporters=single_supporters,
        repeated_supporters=repeated,
        class_weight=weights,
        approvals=list(map(tally.counts.__getitem__, ids)),
        n_voters=election.total_voters(),
        budget=budget,
        money_scale=scale,
    )


def _floor_div(num: int, den: int) -> int:
    return num // den


def _ceil_div(num: int, den: int) -> int:
    return -(-num // den)


@dataclass(frozen=True)
class _Window:
    """The Add1 steps first..last a run covers, and each voter's budget at both ends."""

    lo: tuple[int, int]  # lower bound on the starting budget at the first and last step
    hi: tuple[int, int]
    unit: int  # costs are multiplied by this to match the budgets' unit
    first: int
    last: int
    # Prices may be found in numpy int64: loaded, and every sum of budgets times
    # voters in the window below 2**62 (see _window), so int64 sums are exact.
    machine: bool = False


def _window(data: _MesInput, first: int, last: int, unit: int | None = None) -> _Window:
    """Add1 steps ``first..last`` (per-voter budget budget/n + step).

    ``unit``: the fixed point, by default the finest under which every sum of
    budgets times voters in the window (up to twice all the money there is, for
    _price_floor's sums at both ends) stays below 2**62: Python adds such ints in
    machine words, 3.5 times faster than larger ones (a third of Budapest 2024's
    sums went over at 2**48). Never coarser than 2**20 per currency unit, nor finer
    than 2**48; any unit gives valid bounds, a finer one tighter bounds.
    """
    if unit is None:
        money = 2 * (data.budget + data.n_voters * (last + 1) * data.money_scale)
        unit = 1 << max(_FIXED_POINT_LEAST, min(_FIXED_POINT_MOST, 62 - money.bit_length()))
    base = data.budget * unit
    low, high = base // data.n_voters, _ceil_div(base, data.n_voters)
    step = data.money_scale * unit
    top = high + last * step
    return _Window(
        (low + first * step, low + last * step),
        (high + first * step, top),
        unit,
        first,
        last,
        data.arrays is not None and 2 * top * data.n_voters < 2**62,
    )


# A price as numerator and voter count: kept unrounded, so that the exact ties of
# real elections (same number of supporters, nobody short of money) stay ties.
_Ratio = tuple[int, int]


class _Bounds(NamedTuple):  # a tuple: built thousands of times a run, cheaper than a dataclass
    """Bounds on what each non-poor supporter pays for a project, at both ends."""

    lo: tuple[_Ratio, _Ratio]
    hi: tuple[_Ratio, _Ratio] | None  # None: it might not be affordable everywhere


class _Groups(NamedTuple):
    """One project's supporters as parallel lists, one entry per budget group
    (int64 arrays where the run keeps its groups in them: _Run.vector)."""

    lo0: Any  # lower budget bound at the window's start: list[int], or an array
    lo1: Any  # ... and at its end
    hi0: Any
    hi1: Any
    voters: Any  # list[int], or an array
    total: int


def _weighted(values: Any, voters: Any) -> int:
    if isinstance(values, list):
        return sum(map(mul, values, voters))
    return int(values @ voters)  # int64 arrays (_Run.vector): every such sum is below 2**62


def _weighted_at(values: list[int], voters: list[int], at: list[int]) -> int:
    return sum(map(mul, map(values.__getitem__, at), map(voters.__getitem__, at)))


def _poor(
    values: list[int],
    voters: list[int],
    total: int,
    cost: int,
    guess: list[int] | None = None,
) -> tuple[list[int], _Ratio] | None:
    """Groups that pay all they have, and the price the others pay; None if unaffordable.

    The price q = (cost - what P pays) / (voters not in P) for the poor set P =
    {b < q} is the one solution of sum(min(b, q)) = cost, so any way to P finds
    it. Cheapest from scratch: the groups in order of budget, each poor while its
    budget is below the price the poorer ones leave (the price only rises as they
    are taken out). From a guess of many groups (the poor set at the other end of
    the window), C-level passes instead: from it the price is at most the true
    one, so the groups below it are all truly poor; repeating this, the price
    rises and settles on the exact one. In order of budget took 0.5-0.7 of the time
    of passes from no guess at 8 to 1,000 groups, less from a guess up to 16 groups,
    about the same at 32-64 and a little more above (Bialoleka, Mechanical Turk,
    December 2026). Budgets are whole numbers, so b < num/den as b * den < num, or
    as b < ceil(num/den).
    """
    weighted = list(map(mul, values, voters))
    if sum(weighted) < cost:
        return None
    if not guess or len(values) < _POOR_PASSES_FROM:
        left, rich = cost, total
        taken: list[int] = []
        for i in sorted(range(len(values)), key=values.__getitem__):
            if values[i] * rich >= left:
                break
            left -= weighted[i]
            rich -= voters[i]
            taken.append(i)
        taken.sort()
        return taken, (left, rich)
    positions = range(len(values))
    poor = guess
    num = cost - sum(map(weighted.__getitem__, poor))
    den = total - sum(map(voters.__getitem__, poor))
    if den <= 0:
        poor, num, den = [], cost, total
    while True:
        # b < num/den, as b < ceil(num/den) when budgets are whole numbers
        limit = -(-num // den)
        below = list(compress(positions, map(limit.__gt__, values)))
        if below == poor:
            return poor, (num, den)
        poor = below
        num = cost - sum(map(weighted.__getitem__, poor))
        den = total - sum(map(voters.__getitem__, poor))


_POOR_PASSES_FROM = 32  # groups from which _poor starts from a guess, where it has one


def _price_bounds(groups: _Groups, cost: int, win: _Window) -> _Bounds | None:
    """Bounds on a project's price over the window; None if surely unaffordable."""
    total = groups.total
    if min(groups.lo0) * total >= cost and min(groups.lo1) * total >= cost:
        # Nobody is poor at either end even under the lower budgets: the price is
        # cost/total at every step (budgets are lines in B, so nobody is poor in
        # between either), and every _poor search below would find just that, P
        # empty (upper budgets lie higher still). So it is for every project in a
        # run's first round (one group) and for most later on in small elections:
        # skipping the searches takes 10-20% off MES on the smallest Warszawa and
        # Gdynia files (December 2026).
        price = (cost, total)
        return _Bounds((price, price), (price, price))
    if win.machine and len(groups.voters) >= _MACHINE_GROUPS:
        # Every sum the numpy search takes is at most the largest hi0 + hi1 times the
        # voters, and no upper budget passes its run's largest start (_Run.top), for which
        # _Window.machine was worked out.
        return _price_bounds_np(groups, cost, win)
    if _weighted(groups.hi0, groups.voters) < cost and _weighted(groups.hi1, groups.voters) < cost:
        return None
    at_start = _poor(groups.lo0, groups.voters, groups.total, cost)
    ceiling = _price_ceiling(groups, cost, win, at_start)
    if win.first == win.last and at_start is not None:
        # One step: lower and upper budgets differ by a rounding unit, so the poor
        # set under the lower ones is as good a P as any, and costs no search.
        poor, (_num, n_rich) = at_start
        low = (cost - _weighted_at(groups.hi0, groups.voters, poor), n_rich)
        return _Bounds((low, low), ceiling)
    return _Bounds(_price_floor(groups, cost, at_start[0] if at_start else None), ceiling)


_MACHINE_GROUPS = 64  # budget groups from which a price is found in numpy, where the window allows


def _price_bounds_np(groups: _Groups, cost: int, win: _Window) -> _Bounds | None:
    """_price_bounds in numpy int64, for many groups: the same steps and the same
    bounds (sums below 2**62 are exact in int64: _Window.machine), a poor set kept
    as a mask. Budapest 2024 prices a project over some 330 groups on average."""
    import numpy as np  # noqa: PLC0415 — loaded already (_Window.machine)

    # Arrays already where the run keeps its groups in them (_Run.vector). Sums by
    # np.add.reduce and set comparisons by count_nonzero: a third of the calls'
    # cost of ndarray.sum and np.array_equal on a few hundred groups.
    add, changed = np.add.reduce, np.count_nonzero
    voters = np.asarray(groups.voters, dtype=np.int64)
    hi0, hi1 = np.asarray(groups.hi0, dtype=np.int64), np.asarray(groups.hi1, dtype=np.int64)
    w_hi0, w_hi1 = hi0 * voters, hi1 * voters
    if int(add(w_hi0)) < cost and int(add(w_hi1)) < cost:
        return None
    total = groups.total
    nobody = np.zeros(len(voters), dtype=bool)

    def poor(values: Any, cost: int, guess: Any, weighted: Any = None) -> tuple[Any, _Ratio] | None:
        if weighted is None:
            weighted = values * voters
        if int(add(weighted)) < cost:
            return None
        below = guess
        num = cost - int(add(weighted[below]))
        den = total - int(add(voters[below]))
        if den <= 0:
            below, num, den = nobody, cost, total
        while True:
            limit = -(-num // den)
            settled = values < limit if limit < 2**62 else np.ones(len(values), dtype=bool)
            if not changed(settled ^ below):
                return below, (num, den)
            below = settled
            num = cost - int(add(weighted[below]))
            den = total - int(add(voters[below]))

    lo0, lo1 = np.asarray(groups.lo0, dtype=np.int64), np.asarray(groups.lo1, dtype=np.int64)
    at_start = poor(lo0, cost, nobody)
    ceiling: tuple[_Ratio, _Ratio] | None = None
    if at_start is not None:
        if win.lo[0] == win.lo[1] and np.array_equal(lo0, lo1):
            ceiling = at_start[1], at_start[1]
        else:
            at_end = poor(lo1, cost, at_start[0])
            ceiling = None if at_end is None else (at_start[1], at_end[1])
    if win.first == win.last and at_start is not None:
        below, (_num, n_rich) = at_start
        low = (cost - int(add(w_hi0[below])), n_rich)
        return _Bounds((low, low), ceiling)
    mid = hi0 + hi1
    found = poor(mid, 2 * cost, at_start[0] if at_start is not None else nobody, w_hi0 + w_hi1)
    if found is not None:
        below, (num, n_rich) = found
        start = int(add(w_hi0[below]))
        return _Bounds(((cost - start, n_rich), (num - cost + start, n_rich)), ceiling)
    below = mid != mid.max()
    n_rich = total - int(add(voters[below]))
    return _Bounds(
        ((cost - int(add(w_hi0[below])), n_rich), (cost - int(add(w_hi1[below])), n_rich)),
        ceiling,
    )


def _price_bounds_vector(groups: _Groups, cost: int, win: _Window) -> _Bounds | None:
    """_price_bounds for groups in int64 arrays (_Run.vector): in numpy from
    _MACHINE_GROUPS groups on, else in Python ints as lists."""
    total = groups.total
    if int(groups.lo0.min()) * total >= cost and int(groups.lo1.min()) * total >= cost:
        price = (cost, total)  # nobody poor anywhere (_price_bounds)
        return _Bounds((price, price), (price, price))
    if len(groups.voters) >= _MACHINE_GROUPS:
        return _price_bounds_np(groups, cost, win)
    return _price_bounds(
        _Groups(
            groups.lo0.tolist(),
            groups.lo1.tolist(),
            groups.hi0.tolist(),
            groups.hi1.tolist(),
            groups.voters.tolist(),
            total,
        ),
        cost,
        win,
    )


def _price_floor(groups: _Groups, cost: int, guess: list[int] | None) -> tuple[_Ratio, _Ratio]:
    # Take as P the groups that pay everything at the window's middle under the
    # upper budgets; any P gives a valid bound, a well-chosen one a tight bound.
    mid = list(map(add, groups.hi0, groups.hi1))
    found = _poor(mid, groups.voters, groups.total, 2 * cost, guess)
    if found is not None:
        poor, (num, n_rich) = found  # num = 2 cost - sum over P of (hi0 + hi1) voters
        at_start = _weighted_at(groups.hi0, groups.voters, poor)
        return (cost - at_start, n_rich), (num - cost + at_start, n_rich)
    top = max(mid)
    poor = [i for i, v in enumerate(mid) if v != top]
    n_rich = groups.total - sum(map(groups.voters.__getitem__, poor))
    return (
        (cost - _weighted_at(groups.hi0, groups.voters, poor), n_rich),
        (cost - _weighted_at(groups.hi1, groups.voters, poor), n_rich),
    )


def _price_ceiling(
    groups: _Groups, cost: int, win: _Window, at_start: tuple[list[int], _Ratio] | None
) -> tuple[_Ratio, _Ratio] | None:
    if at_start is None:
        return None
    if win.lo[0] == win.lo[1] and groups.lo0 == groups.lo1:
        return at_start[1], at_start[1]
    at_end = _poor(groups.lo1, groups.voters, groups.total, cost, at_start[0])
    return None if at_end is None else (at_start[1], at_end[1])


def _narrow_ratio(pair: tuple[_Ratio, _Ratio], i: int, j: int, length: int) -> tuple[_Ratio, _Ratio]:
    """The affine lower bound through ``pair`` (at 0 and 1), at i/length and j/length.

    Rounded down to whole units: still a lower bound (the line through two lower
    points lies below), and the numbers stay small however often a window is
    narrowed (kept exact, their denominators multiplied at every split).
    """
    (a, m), (b, n) = pair
    den = m * n * length
    return (
        ((a * n * (length - i) + b * m * i) // den, 1),
        ((a * n * (length - j) + b * m * j) // den, 1),
    )


def _narrow_line(
    start: list[int], end: list[int], i: int, j: int, length: int, div: Callable[[int, int], int]
) -> tuple[list[int], list[int]]:
    return (
        [x + div((y - x) * i, length) for x, y in zip(start, end, strict=True)],
        [x + div((y - x) * j, length) for x, y in zip(start, end, strict=True)],
    )


def _lower_ends(one: tuple[_Ratio, _Ratio], other: tuple[_Ratio, _Ratio]) -> tuple[_Ratio, _Ratio]:
    """The lower of two lower price bounds at each end: a line below both."""
    return (
        one[0] if one[0][0] * other[0][1] <= other[0][0] * one[0][1] else other[0],
        one[1] if one[1][0] * other[1][1] <= other[1][0] * one[1][1] else other[1],
    )


# Bounds on budgets after a payment, one list per bound (as in _Run: lower at the
# window's start and end, upper at both), one entry per group that paid.
_Left = tuple[list[int], list[int], list[int], list[int]]
_LeftArrays = tuple[Any, Any, Any, Any]  # ... as int64 arrays (_Run.vector)


def _left_after(groups: _Groups, price: _Bounds, top: int) -> _Left:
    """Bounds on each group's budget after paying ``price``: max(0, b - q).

    From below by 0 or by b - q, whichever is larger on average (both lie below
    max(0, b - q)); from above by its chord, as max(0, b - q) is convex in B. Where
    the price has no upper bound (the project may be out of reach at some steps),
    from below by 0. ``top``: the run's largest starting budget, which no upper
    bound passes (_Run.top, _upper_after).
    """
    (lq0, ld0), (lq1, ld1) = price.lo
    down0, down1 = lq0 // ld0, lq1 // ld1
    hi0, hi1 = _upper_after(groups.hi0, groups.hi1, down0, down1, top)
    if price.hi is None:
        nothing: list[int] = [0] * len(groups.hi0)
        return nothing, nothing, hi0, hi1
    (hq0, hd0), (hq1, hd1) = price.hi
    # Budgets are whole units here, so floor(b - q) = b - ceil(q) and
    # ceil(b - q) = b - floor(q): one division per project, not one per group.
    up0, up1 = -(-hq0 // hd0), -(-hq1 // hd1)
    a0 = [b - up0 for b in groups.lo0]
    a1 = [b - up1 for b in groups.lo1]
    kept = [x + y > 0 for x, y in zip(a0, a1, strict=True)]
    return (
        [x if k else 0 for x, k in zip(a0, kept, strict=True)],
        [x if k else 0 for x, k in zip(a1, kept, strict=True)],
        hi0,
        hi1,
    )


def _upper_after(hi0: list[int], hi1: list[int], down0: int, down1: int, top: int) -> tuple[list[int], list[int]]:
    """Upper bounds after paying a price of at least ``down0``..``down1`` (a line).

    The chord of max(0, b - q) through its values at both ends, unless a lower
    price bound below 0 (a floor from a poor set chosen at the window's middle can
    go below 0 at an end) lifts it above ``top``: then the upper bounds before,
    as b - q < b (prices are positive). Either is an upper bound; taking the second
    there keeps every upper bound of a run at most its largest starting budget
    (_Run.top), so sums of them times voters stay below 2**62 where _Window.machine
    says so, and int64 arrays hold them exactly (_Run.vector).
    """
    new0 = [b - down0 if b > down0 else 0 for b in hi0]
    new1 = [b - down1 if b > down1 else 0 for b in hi1]
    if (down0 < 0 or down1 < 0) and max(max(new0), max(new1)) > top:
        return hi0, hi1
    return new0, new1


def _left_after_np(groups: _Groups, price: _Bounds, top: int) -> _LeftArrays:
    """_left_after for groups held in int64 arrays (_Run.vector): the same bounds.

    Every value stays within the run's budgets: upper bounds in 0..top, lower ones
    above -top (a kept group's ends add up to more than 0; on the way, a budget
    minus a price under lower budgets, each at most top, is above -2 top), so
    nothing here leaves int64 (top times the voters is below 2**61).
    """
    import numpy as np  # noqa: PLC0415 — loaded already (_Run.vector)

    (lq0, ld0), (lq1, ld1) = price.lo
    down0, down1 = lq0 // ld0, lq1 // ld1
    # Prices beyond +-top give what +-top gives: no budget (at most top) is left with
    # anything after a price of top or more; below -top the chord would pass top, and
    # the bounds before are kept either way.
    d0, d1 = min(max(down0, -top), top), min(max(down1, -top), top)
    hi0, hi1 = np.maximum(groups.hi0 - d0, 0), np.maximum(groups.hi1 - d1, 0)
    if (down0 < 0 or down1 < 0) and (min(down0, down1) < -top or max(int(hi0.max()), int(hi1.max())) > top):
        hi0, hi1 = groups.hi0, groups.hi1  # as in _upper_after
    if price.hi is None:
        nothing = np.zeros(len(hi0), dtype=np.int64)
        return nothing, nothing, hi0, hi1
    (hq0, hd0), (hq1, hd1) = price.hi
    # An upper price is one under lower budgets, at most the largest of them (top).
    a0, a1 = groups.lo0 - -(-hq0 // hd0), groups.lo1 - -(-hq1 // hd1)
    kept = a0 > -a1
    return a0 * kept, a1 * kept, hi0, hi1


class _Run:
    """One MES run over a window of Add1 steps, one round at a time."""

    # Whether ``crossing`` is where a project comes within reach (_affordable_from),
    # as the last round found; set by every round, so copies need not carry it.
    sharp = False
    # Whether some price this run found may vary across the window (someone may be
    # poor somewhere): then its order of projects may change at other budgets.
    varied = False
    # Where ``guessing``, the projects this run found out of reach (their groups
    # and cost) are kept for a guess at where one comes within reach again (reach).
    # Read only on runs that were never narrowed: copies do not carry them.
    guessing = False

    def __init__(self, data: _MesInput, win: _Window) -> None:
        self.data = data
        self.win = win
        self.costs = [c * win.unit for c in data.costs]
        # Budget groups: voters who backed the same funded projects (or who
        # surely have nothing left), as bounds at both ends of the window.
        # Lists of Python ints, or where the window's sums fit in machine words
        # (vector), int64 arrays: a large election's windows and paths then price,
        # pay and join their groups in numpy without building lists (Budapest 2024:
        # 2.9 s against 6.6-7.4 s, Amsterdam 621: 0.73 s against 2.4 s, December 2026).
        self.vector = win.machine
        # No upper bound of the run passes this (_upper_after): its window's largest
        # start, or where its bounds were cut down from a wider window's (_cut), that
        # one's, which _Window.machine was worked out for.
        self.top: int = win.hi[1]
        self.lo0: Any = [win.lo[0]]
        self.lo1: Any = [win.lo[1]]
        self.hi0: Any = [win.hi[0]]
        self.hi1: Any = [win.hi[1]]
        self.broke: int | None = None  # the group of those with nothing left
        self.class_group: Any = [0] * len(data.class_weight)
        # project -> {group: voters} (vector: arrays of groups and of their voters),
        # recounted only when a funded project shared supporters with it since the last count
        self.members: list[Any] = [{0: a} for a in data.approvals]
        if data.arrays is not None:
            import numpy as np  # noqa: PLC0415 — loaded by _with_arrays already

            self.class_group = np.zeros(len(data.class_weight), dtype=np.intp)
            if self.vector:
                self.lo0, self.lo1, self.hi0, self.hi1 = (
                    np.array(x, dtype=np.int64) for x in (self.lo0, self.lo1, self.hi0, self.hi1)
                )
                first = np.zeros(1, dtype=np.intp)
                self.members = [(first, np.array([a], dtype=np.int64)) for a in data.approvals]
        self.stale_members: set[int] = set()
        self.alive = set(range(len(data.ids)))  # neither funded nor out of reach for good
        self.bounds: dict[int, _Bounds] = {}  # latest; stale ones stay valid lower bounds
        self.floor: dict[int, float] = dict.fromkeys(self.alive, -math.inf)
        self.priced: dict[int, tuple[Any, _Groups]] = {}  # groups behind the latest bounds
        self.funded: list[int] = []
        # per funded project: its groups, their voters and the groups they moved to
        self.history: list[tuple[int, Any, Any, Any]] = []
        self.crossing: float | None = None  # where a failed round's decision seems to flip
        # Where this run's groups came from: (first group, run) for each stretch of
        # groups added by one run, so that two paths can tell which groups they
        # share without comparing them (branch).
        self.lineage = [(0, next(_RUNS))]
        self.dropped: list[tuple[_Groups, int]] = []

    # -- narrowing the window ------------------------------------------------

    def narrowed(self, first: int, last: int) -> _Run:
        """A copy for the steps first..last inside this window.

        The funded projects are known for the whole window and the groups do not
        depend on it, so their payments are redone over the narrower window,
        which gives tighter bounds than cutting down this window's. Projects not
        funded keep their lower price bounds, cut down to the narrower window.
        """
        copy = object.__new__(_Run)
        copy.data, copy.win, copy.costs = self.data, _window(self.data, first, last, unit=self.win.unit), self.costs
        copy.vector = self.vector  # the narrower window's sums are smaller still
        copy.top = copy.win.hi[1]  # payments are redone over it
        if not copy._redo_payments(self):
            copy = self._cut(first, last)
        copy.broke = self.broke
        copy.class_group = self.class_group.copy()
        copy.members = list(self.members)  # dicts are replaced, never changed in place
        copy.stale_members = set(self.stale_members)
        copy.alive = set(self.alive)
        win = self.win
        length, i, j = win.last - win.first, first - win.first, last - win.first
        copy.bounds, copy.floor, copy.priced = {}, dict.fromkeys(copy.alive, -math.inf), {}
        for p in copy.alive & self.bounds.keys():
            copy._set_bounds(p, _Bounds(_narrow_ratio(self.bounds[p].lo, i, j, length), None))
        copy.funded = list(self.funded)
        copy.history = list(self.history)
        copy.crossing = None
        copy.lineage = [(0, next(_RUNS))]
        return copy

    def _redo_payments(self, wider: _Run) -> bool:
        if self.vector:
            return self._redo_payments_np(wider)
        size = len(wider.lo0)
        lo0: list[int] = [0] * size
        lo1, hi0, hi1 = list(lo0), list(lo0), list(lo0)
        lo0[0], lo1[0] = self.win.lo
        hi0[0], hi1[0] = self.win.hi
        for winner, ids, voters, moved_to in wider.history:
            groups = _Groups(
                list(map(lo0.__getitem__, ids)),
                list(map(lo1.__getitem__, ids)),
                list(map(hi0.__getitem__, ids)),
                list(map(hi1.__getitem__, ids)),
                voters,
                self.data.approvals[winner],
            )
            price = _price_bounds(groups, self.costs[winner], self.win)
            if price is None or price.hi is None:
                return False
            left = _left_after(groups, price, self.top)
            for g, a0, a1, b0, b1 in zip(moved_to, *left, strict=True):
                # Those broke over the wider window are broke over this one too.
                if g != wider.broke:
                    lo0[g], lo1[g], hi0[g], hi1[g] = a0, a1, b0, b1
        self.lo0, self.lo1, self.hi0, self.hi1 = lo0, lo1, hi0, hi1
        return True

    def _redo_payments_np(self, wider: _Run) -> bool:
        """_redo_payments in int64 arrays (vector)."""
        import numpy as np  # noqa: PLC0415 — loaded already (vector)

        lo0, lo1, hi0, hi1 = (np.zeros(len(wider.lo0), dtype=np.int64) for _ in range(4))
        lo0[0], lo1[0] = self.win.lo
        hi0[0], hi1[0] = self.win.hi
        top = self.top
        broke = -1 if wider.broke is None else wider.broke
        for winner, ids, voters, moved_to in wider.history:
            groups = _Groups(lo0[ids], lo1[ids], hi0[ids], hi1[ids], voters, self.data.approvals[winner])
            price = _price_bounds_vector(groups, self.costs[winner], self.win)
            if price is None or price.hi is None:
                return False
            left = _left_after_np(groups, price, top)
            # Those broke over the wider window are broke over this one too.
            kept = moved_to != broke
            to = moved_to[kept]
            lo0[to], lo1[to], hi0[to], hi1[to] = (x[kept] for x in left)
        self.lo0, self.lo1, self.hi0, self.hi1 = lo0, lo1, hi0, hi1
        return True

    def _cut(self, first: int, last: int) -> _Run:
        """A copy for the steps first..last with this window's bounds cut down to them."""
        win = self.win
        length, i, j = win.last - win.first, first - win.first, last - win.first
        copy = object.__new__(_Run)
        copy.data, copy.costs = self.data, self.costs
        copy.win = _Window(
            (
                win.lo[0] + (win.lo[1] - win.lo[0]) * i // length,
                win.lo[0] + (win.lo[1] - win.lo[0]) * j // length,
            ),
            (
                win.hi[0] + _ceil_div((win.hi[1] - win.hi[0]) * i, length),
                win.hi[0] + _ceil_div((win.hi[1] - win.hi[0]) * j, length),
            ),
            win.unit,
            first,
            last,
            win.machine,
        )
        copy.vector, copy.top = self.vector, self.top  # cut-down bounds lie below this window's top
        lo0, lo1, hi0, hi1 = self.lo0, self.lo1, self.hi0, self.hi1
        if self.vector:  # in Python ints: the products below may pass 2**63
            lo0, lo1, hi0, hi1 = lo0.tolist(), lo1.tolist(), hi0.tolist(), hi1.tolist()
        copy.lo0, copy.lo1 = _narrow_line(lo0, lo1, i, j, length, _floor_div)
        copy.hi0, copy.hi1 = _narrow_line(hi0, hi1, i, j, length, _ceil_div)
        if self.vector:
            import numpy as np  # noqa: PLC0415 — loaded already (vector)

            copy.lo0, copy.lo1, copy.hi0, copy.hi1 = (
                np.array(x, dtype=np.int64) for x in (copy.lo0, copy.lo1, copy.hi0, copy.hi1)
            )
        return copy

    def branch(self) -> _Run:
        """A copy over the same window that can fund something else from here."""
        copy = object.__new__(_Run)
        copy.data, copy.win, copy.costs, copy.vector, copy.top = self.data, self.win, self.costs, self.vector, self.top
        if self.vector:  # arrays are replaced, never changed in place: both may hold them
            copy.lo0, copy.lo1, copy.hi0, copy.hi1 = self.lo0, self.lo1, self.hi0, self.hi1
        else:
            copy.lo0, copy.lo1, copy.hi0, copy.hi1 = list(self.lo0), list(self.lo1), list(self.hi0), list(self.hi1)
        copy.broke = self.broke
        copy.class_group = self.class_group.copy()
        copy.members = list(self.members)
        copy.stale_members = set(self.stale_members)
        copy.alive = set(self.alive)
        copy.bounds, copy.floor, copy.priced = dict(self.bounds), dict(self.floor), dict(self.priced)
        copy.funded = list(self.funded)
        copy.history = list(self.history)
        copy.crossing = None
        # Both carry on from here, each adding groups of its own.
        fork = len(self.lo0)
        copy.lineage = [*self.lineage, (fork, next(_RUNS))]
        self.lineage = [*self.lineage, (fork, next(_RUNS))]
        return copy

    def joined(self, other: _Run) -> _Run:
        """One run covering both of two that funded the same projects in another order.

        Both split the voters alike (by which funded projects they backed), up to
        whom each has marked as surely broke, so their groups are matched class by
        class: a group for each pair of groups met, with the lower of both lower
        bounds and the higher of both upper bounds at each end (lines below, or
        above, both runs' lines). Groups from before the two parted keep their id
        and bounds, so only the classes placed differently need new ones. A
        project's price keeps the lower of both lower bounds, and is priced again
        before its bounds are used for more.
        """
        mine, theirs = self.class_group, other.class_group
        copy = self.branch()
        lo0, lo1, hi0, hi1 = copy.lo0, copy.lo1, copy.hi0, copy.hi1
        o0, o1, p0, p1 = other.lo0, other.lo1, other.hi0, other.hi1
        # Groups are only ever added, so both runs' lists agree up to where they
        # parted: a class in such a group in both stays there; any other is placed
        # in a group for its pair of groups.
        shared = self._shared(other)
        first = len(lo0)
        class_group = copy.class_group
        if self.data.arrays is not None:
            import numpy as np  # noqa: PLC0415 — loaded by _with_arrays already

            apart = np.flatnonzero((mine != theirs) | (mine >= shared))
            keys, placed = np.unique(mine[apart] * len(o0) + theirs[apart], return_inverse=True)
            ours, other_ids = divmod(keys, len(o0))
            if not self.vector:
                pairs: list[tuple[int, int]] = list(zip(ours.tolist(), other_ids.tolist(), strict=True))
            class_group[apart] = placed + first
        else:
            moved = list(compress(count(), map(ne, mine, theirs)))
            moved.extend(compress(count(), map(and_, map(eq, mine, theirs), map(shared.__le__, mine))))
            met = list(zip(map(mine.__getitem__, moved), map(theirs.__getitem__, moved), strict=True))
            index = {pair: g for g, pair in enumerate(dict.fromkeys(met), first)}
            pairs = list(index)
            list(map(class_group.__setitem__, moved, map(index.__getitem__, met)))
        if self.vector:
            copy.lo0 = np.concatenate((lo0, np.minimum(lo0[ours], o0[other_ids])))
            copy.lo1 = np.concatenate((lo1, np.minimum(lo1[ours], o1[other_ids])))
            copy.hi0 = np.concatenate((hi0, np.maximum(hi0[ours], p0[other_ids])))
            copy.hi1 = np.concatenate((hi1, np.maximum(hi1[ours], p1[other_ids])))
        else:
            lo0.extend([min(lo0[g], o0[h]) for g, h in pairs])
            lo1.extend([min(lo1[g], o1[h]) for g, h in pairs])
            hi0.extend([max(hi0[g], p0[h]) for g, h in pairs])
            hi1.extend([max(hi1[g], p1[h]) for g, h in pairs])
        if self.broke != other.broke:
            copy.broke = None  # a group surely broke in both is made again when needed
        copy.stale_members = set(range(len(self.data.ids)))  # recounted before use
        copy.alive = self.alive | other.alive
        copy.bounds, copy.floor, copy.priced = {}, {}, {}
        for p in copy.alive:
            known, also = self.bounds.get(p), other.bounds.get(p)
            if known is None or also is None:
                copy.floor[p] = -math.inf
            else:
                copy._set_bounds(p, _Bounds(_lower_ends(known.lo, also.lo), None))
        copy.history = []  # paths are never narrowed
        return copy

    def _shared(self, other: _Run) -> int:
        """How many groups, from the first, both runs have from before they parted."""
        for (start, run), (other_start, other_run) in zip(self.lineage, other.lineage, strict=False):
            if run != other_run:
                return min(start, other_start)  # the stretch before was one run's, up to here in both
        raise AssertionError("two runs that never parted")

    def possible(self) -> tuple[list[int], bool]:
        """The projects that may be funded next at some step of the window, and whether
        the run may end here instead (at steps where nothing is affordable).

        A project is left out only where it surely cannot be funded next at any
        step: it is out of reach everywhere (as budgets only fall, for the rest of
        the run), or a surely affordable one beats it at every step, because its
        lowest possible ratio lies above the other's highest or its lower price bound
        lies above the other's upper one at both ends of the window (lines, so
        everywhere between; ties go by id).
        """
        # _front_runner prices, in order of their floors, every project whose floor is
        # not above the best one's ceiling (all of them where there is no best), and
        # drops those out of reach: whatever it leaves below that ceiling is current.
        best = self._front_runner(set())
        if best is None:
            return sorted(self.alive), True
        ceiling = self._ceiling(best)
        found = []
        for p in self._by_floor():
            if self.floor[p] > ceiling:
                break
            if p == best or not self._loses(p, best):
                found.append(p)
        return found, False

    def fund(self, winner: int) -> None:
        """Fund ``winner`` at the steps of the window where it is the next one."""
        self._pay(winner)
        self.funded.append(winner)
        self.alive.discard(winner)

    # -- rounds --------------------------------------------------------------

    def next_round(self) -> bool | None:
        """Fund the next project: True if one was, False if the run is over, None if
        the window is too wide to tell which one it is."""
        fresh: set[int] = set()
        self.crossing, self.sharp = None, False
        best = self._front_runner(fresh)
        if best is None:
            if not self.alive:
                return False
            if self.win.first != self.win.last:  # else the window is not split
                self.crossing = self._affordable_from()
                self.sharp = self.crossing is not None
            return None
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
        cost = self.costs[p]
        if self.vector:
            ids, voters = members
            groups = _Groups(self.lo0[ids], self.lo1[ids], self.hi0[ids], self.hi1[ids], voters, self.data.approvals[p])
            found = _price_bounds_vector(groups, cost, self.win)
        else:
            if len(members) == 1:  # as in every first round: a third of the lists' cost
                ((g, voters),) = members.items()
                ids = [g]
                groups = _Groups(
                    [self.lo0[g]], [self.lo1[g]], [self.hi0[g]], [self.hi1[g]], [voters], self.data.approvals[p]
                )
            else:
                ids = list(members)
                groups = _Groups(
                    list(map(self.lo0.__getitem__, ids)),
                    list(map(self.lo1.__getitem__, ids)),
                    list(map(self.hi0.__getitem__, ids)),
                    list(map(self.hi1.__getitem__, ids)),
                    list(members.values()),
                    self.data.approvals[p],
                )
            found = _price_bounds(groups, cost, self.win)
        fresh.add(p)
        if found is not None and found.hi != ((cost, groups.total),) * 2:
            self.varied = True  # not cost / supporters at both ends
        if found is None:
            # Budgets only shrink during a run, so out of reach now means for good.
            self.alive.discard(p)
            self.bounds.pop(p, None)
            if self.guessing:
                self.dropped.append((groups, cost))
        else:
            self._set_bounds(p, found)
            self.priced[p] = ids, groups
        return found

    def reach(self) -> int | None:
        """A guess at the first step after the window where a project this run found
        out of reach comes within reach again, at the round where it dropped out.

        Along the same funded projects, a voter who was never poor keeps her
        budget minus prices that do not rise with it, so her budget grows by at
        least a step's money per step: from the upper bounds at the window's end,
        the shortfall is made up within shortfall / (such supporters) steps, if the
        rounds before this one hold until then. A guess, used only to choose
        windows (_mes_add1_run): every window's outcomes are certified whatever it
        says. Taken where the project drops out, not at the run's end, as others'
        payments after that only make it later: Gdynia 2022 Leszczynki's largest
        project drops out in the first round and is funded from step 3 on. Worked
        out only when asked, as most runs' guesses are never read (about 2% of MES
        on Mechanical Turk's elections, December 2026).
        """
        win = self.win
        found: int | None = None
        for groups, cost in self.dropped:
            short = cost - _weighted(groups.hi1, groups.voters)
            if self.vector:
                growing = int(groups.voters[groups.lo1 > 0].sum())
            else:
                growing = sum(compress(groups.voters, map(gt, groups.lo1, repeat(0))))
            growing *= self.data.money_scale * win.unit
            if growing:
                at = win.last + max(1, _ceil_div(short, growing))
                if found is None or at < found:
                    found = at
        return found

    def _set_bounds(self, p: int, found: _Bounds) -> None:
        self.bounds[p] = found
        # Lowest price ratio anywhere in the window, as a float; comparisons on
        # floats only ever skip work with a margin far above rounding error.
        (a, m), (b, n) = found.lo
        self.floor[p] = min(a / m, b / n) / self.costs[p]

    def _ceiling(self, p: int) -> float:
        """Highest price ratio of p anywhere in the window, a little over."""
        hi = self.bounds[p].hi
        assert hi is not None
        (a, m), (b, n) = hi
        return max(a / m, b / n) / self.costs[p] * (1 + 1e-9)

    def _by_floor(self) -> list[int]:
        return sorted(self.alive, key=self.floor.__getitem__)

    def _better(self, p: int, than: int) -> bool:
        """p's upper price ratio (summed over both ends) below than's; ties by id."""
        hp, ht = self.bounds[p].hi, self.bounds[than].hi
        assert hp is not None and ht is not None
        (a0, m0), (a1, m1) = hp
        (b0, n0), (b1, n1) = ht
        # (a0/m0 + a1/m1) * cost_than against (b0/n0 + b1/n1) * cost_p, denominators cleared
        left = (a0 * m1 + a1 * m0) * n0 * n1 * self.costs[than]
        right = (b0 * n1 + b1 * n0) * m0 * m1 * self.costs[p]
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
        ceiling = math.inf
        for p in self._by_floor():
            if self.floor[p] > ceiling:
                break
            found = self._refresh(p, fresh)
            if found is not None and found.hi is not None and (best is None or self._better(p, best)):
                best = p
                ceiling = self._ceiling(p)
        return best

    def _certify(self, best: int, fresh: set[int]) -> int | None:
        """The round's winner if every other project surely loses to it, else None."""
        while True:
            challenger = None
            ceiling = self._ceiling(best)
            for p in self._by_floor():
                if self.floor[p] > ceiling:
                    break  # every later one is even further behind
                if p == best or p not in self.alive or self._loses(p, best):
                    continue
                if p not in fresh and (self._refresh(p, fresh) is None or self._loses(p, best)):
                    continue
                if self._twin(p, best):
                    continue
                challenger = p
                break
            if challenger is None:
                return best
            if self.bounds[challenger].hi is None or not self._better(challenger, best):
                self.crossing = self._crossing(challenger, best)
                return None
            best = challenger

    def _twin(self, p: int, of: int) -> bool:
        """Same cost, same supporters in the same groups, and a later id: p's price
        equals ``of``'s at every budget, and the tie goes to ``of``. Bounds cannot
        show that once rounding parts them."""
        if p < of or self.costs[p] != self.costs[of]:
            return False
        mine, theirs = self.members[p], self.members[of]
        if self.vector:
            import numpy as np  # noqa: PLC0415 — loaded already (vector)

            return np.array_equal(mine[0], theirs[0]) and np.array_equal(mine[1], theirs[1])
        return bool(mine == theirs)

    def _affordable_from(self) -> float | None:
        """Roughly where in the window (0..1) the first project left comes within
        its supporters' reach, where none is surely within reach at the start.

        Called where nothing is surely affordable: every project left was just
        priced (none beat, so none passed over) and none has an upper price bound.
        A supporter's budget bounds are lines across the window, so the middle of
        their sums is a line too, and unlike a crossing of two prices (convex
        curves) it is nearly exact where the bounds are tight, as after a round of
        payments by supporters none of whom was poor. Where some project's
        supporters seem to hold enough at the start already, rounding, not the
        budget, kept it undecided: no crossing.
        """
        found: float | None = None
        for p in self.alive:
            _ids, groups = self.priced[p]
            voters, cost = groups.voters, 2 * self.costs[p]  # twice: sums of both bounds
            start = _weighted(groups.lo0, voters) + _weighted(groups.hi0, voters)
            end = _weighted(groups.lo1, voters) + _weighted(groups.hi1, voters)
            if start >= cost:
                return None
            if end >= cost:
                at = float((cost - start) / (end - start))
                found = at if found is None else min(found, at)
        return found

    def _crossing(self, p: int, q: int) -> float | None:
        """Roughly where in the window (0..1) p and q swap places, if they seem to."""

        def ratio_line(project: int) -> tuple[float, float]:
            known = self.bounds[project]
            ends = [float(a / m) for a, m in known.lo]
            if known.hi is not None:
                ends = [(x + float(a / m)) / 2 for x, (a, m) in zip(ends, known.hi, strict=True)]
            return ends[0] / self.costs[project], ends[1] / self.costs[project]

        (p0, p1), (q0, q1) = ratio_line(p), ratio_line(q)
        start, end = p0 - q0, p1 - q1
        return start / (start - end) if start * end < 0 else None

    def _pay(self, winner: int) -> None:
        """Charge the winner's supporters, moving them to new budget groups."""
        ids, groups = self.priced[winner]
        price = self.bounds[winner]
        if self.vector:
            moved_to = self._new_groups_np(_left_after_np(groups, price, self.top))
        else:
            moved_to = self._new_groups(_left_after(groups, price, self.top))
        class_group = self.class_group
        arrays = self.data.arrays
        if arrays is not None:
            import numpy as np  # noqa: PLC0415 — loaded by _with_arrays already

            lookup = np.zeros(len(self.lo0), dtype=np.intp)
            lookup[ids] = moved_to
            supporters = arrays.supporters[winner]
            class_group[supporters] = lookup[class_group[supporters]]
        elif len(ids) == 1:  # every supporter in one group, as in every first round
            list(map(class_group.__setitem__, self.data.supporters[winner], repeat(moved_to[0])))
        else:
            supporters = self.data.supporters[winner]
            split = dict(zip(ids, moved_to, strict=True))
            new_groups = list(map(split.__getitem__, map(class_group.__getitem__, supporters)))
            list(map(class_group.__setitem__, supporters, new_groups))
        self.stale_members.update(self.data.neighbours[winner])
        self.history.append((winner, ids, groups.voters, moved_to))

    def _new_groups(self, left: _Left) -> list[int]:
        """Ids for groups with these bounds.

        Everyone who surely has nothing left shares one group: fewer groups to
        price, and broke is broke whatever the window.
        """
        # Upper bounds of 0 at both ends: nothing left (a lower bound lies below its upper one).
        kept = list(map(bool, map(add, left[2], left[3])))
        if all(kept):
            first = self._add_groups(left)
            return list(range(first, len(self.lo0)))
        if self.broke is None:
            self.broke = self._add_groups(([0], [0], [0], [0]))
        first = self._add_groups(
            (
                list(compress(left[0], kept)),
                list(compress(left[1], kept)),
                list(compress(left[2], kept)),
                list(compress(left[3], kept)),
            )
        )
        groups = [self.broke] * len(kept)
        list(map(groups.__setitem__, compress(count(), kept), range(first, len(self.lo0))))
        return groups

    def _new_groups_np(self, left: _LeftArrays) -> Any:
        """_new_groups for int64 arrays (vector)."""
        import numpy as np  # noqa: PLC0415 — loaded already (vector)

        kept = (left[2] + left[3]) != 0  # upper bounds are never below 0
        if kept.all():
            first = self._add_groups_np(left)
            return np.arange(first, len(self.lo0))
        if self.broke is None:
            nothing = np.zeros(1, dtype=np.int64)
            self.broke = self._add_groups_np((nothing, nothing, nothing, nothing))
        first = self._add_groups_np(tuple(x[kept] for x in left))
        groups = np.full(len(kept), self.broke)
        groups[kept] = np.arange(first, len(self.lo0))
        return groups

    def _add_groups_np(self, left: _LeftArrays) -> int:
        import numpy as np  # noqa: PLC0415 — loaded already (vector)

        first = len(self.lo0)
        self.lo0 = np.concatenate((self.lo0, left[0]))
        self.lo1 = np.concatenate((self.lo1, left[1]))
        self.hi0 = np.concatenate((self.hi0, left[2]))
        self.hi1 = np.concatenate((self.hi1, left[3]))
        return first

    def _add_groups(self, left: _Left) -> int:
        first = len(self.lo0)
        self.lo0.extend(left[0])
        self.lo1.extend(left[1])
        self.hi0.extend(left[2])
        self.hi1.extend(left[3])
        return first

    def _recount(self, p: int) -> None:
        class_group = self.class_group
        arrays = self.data.arrays
        if arrays is not None:
            import numpy as np  # noqa: PLC0415 — loaded by _with_arrays already

            tally = np.bincount(class_group[arrays.supporters[p]], arrays.weights[p])
            met = np.flatnonzero(tally)
            if self.vector:
                self.members[p] = met, tally[met].astype(np.int64)
            else:
                self.members[p] = dict(zip(met.tolist(), tally[met].astype(np.int64).tolist(), strict=True))
            self.stale_members.discard(p)
            return
        # Counter counts single voters in C; only repeated ballots need a loop.
        counts: dict[int, int] = {}
        _count_elements(counts, map(class_group.__getitem__, self.data.single_supporters[p]))
        for c, weight in self.data.repeated_supporters[p]:
            g = class_group[c]
            counts[g] = counts.get(g, 0) + weight
        self.members[p] = counts
        self.stale_members.discard(p)


def _outcomes(
    run: _Run, skim: _Skim | None = None, sharp: bool = True, ended: list[_Run] | None = None
) -> Iterator[tuple[int, list[int] | None]]:
    """(last step, funded) for consecutive stretches of the run's window, in order.

    Where the window is too wide to tell the next project, it is split in two
    and both halves carry on from this round; a single step that rounding cannot
    settle (an exact tie) is rerun in exact integers (_one_step). Given a ``skim``, such a
    window may instead be passed over whole, as (last step, None), where no step
    in it can stop Add1 (_never_stops). Given ``ended``, the last run to end
    (nothing left within reach) is kept there, for its ``reach()``.
    """
    while True:
        settled = run.next_round()
        if settled is False:
            if skim is not None:
                skim.rounds = max(skim.rounds, len(run.funded))
            if ended is not None:
                ended[:] = [run]
            yield run.win.last, run.funded
            return
        if settled is None:
            first, last = run.win.first, run.win.last
            if first == last:
                yield last, _exact_step(run.data, last)
                return
            if skim is not None and skim.tries(first, last) and skim.learn(first, last, _never_stops(run, skim.rounds)):
                yield last, None
                return
            # Split where the undecided pair seems to swap, else halfway; never
            # too near an end, so that windows shrink geometrically.
            width = last - first
            at = first + int(width * (0.5 if run.crossing is None else run.crossing))
            if sharp and run.sharp:
                # Right where a project comes within reach: there the estimate is
                # nearly exact, and both halves are usually settled at once
                # (Marysin Wawerski 2019's window of steps 6-10 split at 9/10, not
                # 8/9 and again 9/10). The halves split near the middle next, so
                # windows still shrink geometrically, if half as fast at worst.
                middle = min(max(at, first), last - 1)
            else:
                middle = min(max(at, first + width // 4), last - 1 - width // 4)
            sharp = not sharp or not run.sharp
            yield from _outcomes(run.narrowed(first, middle), skim, sharp, ended)
            yield from _outcomes(run.narrowed(middle + 1, last), skim, sharp, ended)
            return


_SKIM_AFTER = 512  # Add1 steps before windows may be passed over: shorter climbs split cheaply
_SKIM_FROM = 32  # windows of at least this many steps may be passed over as a whole
_SKIM_UPTO = 256  # ... and of at most this many at first
_SKIM_PATHS = 4  # rounds spent on a window's paths: at most this many times the longest run seen
_SKIM_CREDIT = 2  # failed tries before passing over stops, at first
_SKIM_CREDIT_MOST = 8  # ... and at most, after windows passed over


class _Skim:
    """Whether a window is worth trying to pass over as a whole, learnt as Add1 goes.

    Where outcomes change every 10-20 steps (Warszawa's Targowek) or Add1 stops after
    a few hundred steps, following the paths costs more than splitting the window:
    no window is tried before step 512, and tries soon stop, as each failure costs a
    credit and each window passed over earns one. With none left, one more try is
    made once the climb has doubled since the last failure, as outcomes change at
    different rates at different budgets. Where they change every 100-250 steps
    (Budapest 2024, and the synthetic election shaped like it in bench_rules.py),
    most tries pass (over 80%). A failure lowers the widest window tried to half the failed
    one (not below 32 steps), a pass raises it to twice the passed one if that is
    wider (December 2026).
    """

    def __init__(self) -> None:
        self.upto = _SKIM_UPTO
        self.credit = _SKIM_CREDIT
        self.again = 0  # with no credit left, the step from which one more try is made
        self.rounds = 16  # rounds of the longest run seen: about what one path costs

    def tries(self, first: int, last: int) -> bool:
        if first < _SKIM_AFTER or not _SKIM_FROM <= last - first <= self.upto:
            return False
        if self.credit <= 0 and first >= self.again:
            self.credit = 1  # outcomes change at different rates at different budgets
        return self.credit > 0

    def learn(self, first: int, last: int, passed: bool) -> bool:
        width = last - first
        if passed:
            self.upto, self.credit = max(self.upto, 2 * width), min(self.credit + 1, _SKIM_CREDIT_MOST)
        else:
            self.upto, self.credit = max(min(self.upto, width // 2), _SKIM_FROM), self.credit - 1
            self.again = 2 * last
        return passed


def _never_stops(run: _Run, rounds: int) -> bool:
    """Whether no step of the window can stop Add1, its outcomes unknown.

    Every path the rest of the run may take at some step of the window is
    followed (a superset of the steps' outcomes: a project is left out only where
    another surely beats it everywhere); if none of them ends over the budget or
    exhaustive, no step in the window stops Add1, and its outcomes are not needed.
    Paths are followed a round at a time, and those that have funded the same
    projects in another order are followed as one (_Run.joined): over half the
    rounds of Budapest 2024's paths came back to a set of projects already met.
    """
    data = run.data
    rounds *= _SKIM_PATHS  # the paths may take as many rounds as a few whole runs
    level: dict[frozenset[int], _Run] = {frozenset(run.funded): run.branch()}
    while level:
        following: dict[frozenset[int], _Run] = {}
        for funded, path in level.items():
            found, may_end = path.possible()
            if may_end and (_over_budget(data, path.funded) or _is_exhaustive(data, path.funded)):
                return False
            if not found:
                assert may_end  # else best would have been found: it lies within its own ceiling
                continue
            rounds -= len(found)
            if rounds < 0:
                return False
            for k, p in enumerate(found):
                after = path if k == len(found) - 1 else path.branch()
                after.fund(p)
                key = funded | {p}
                met = following.get(key)
                following[key] = after if met is None else met.joined(after)
        level = following
    return True


# Steps one by one
# -----------------
# Where the windows above keep splitting (Toulouse's 670 Add1 steps have 512
# different outcomes, which agree on their first 60 of about 117 rounds on
# average), they share little and a round costs more with bounds than without.
# There _mes_add1_run runs batches of consecutive steps side by side in floats,
# certified at every decision (mes_lanes.py), and any step whose decision floats
# cannot settle again in exact integers (_exact_step), so every outcome is the
# exact one.


class _Step(NamedTuple):
    """MES at one Add1 step (_one_step)."""

    funded: list[int]
    varied: bool  # some price found was not cost / supporters (someone was poor)
    reach: int | None  # a guess at the first later step where a dropped project is within reach


def _exact_step(data: _MesInput, step: int) -> list[int]:
    """MES at the per-voter budget budget/n + step, exactly (_one_step)."""
    return _one_step(data, step).funded


def _one_step(data: _MesInput, step: int) -> _Step:
    """MES at the per-voter budget budget/n + step in exact integers.

    Every budget is a whole number of 1/(n D) currency units (money_scale), D a
    common denominator: 1 at the start, where each voter holds budget + step n
    money_scale of them. A price q = (cost - what the poor pay) / (voters not
    poor), so paying it multiplies D (and every budget) by the second over what
    it shares with the first, and the payers' budgets become b - q or 0, whole
    numbers again. Prices are compared by cross-multiplying (ties by id), so
    every decision is the exact one, with no bounds to certify and no
    fractions to normalise. As in _Run, supporters are grouped by budget,
    counted again only where a winner shared some, and a project is priced
    again only while its last price (a lower bound: prices only rise during a
    run) could beat the round's best; floats only pick the order and skip work,
    with a margin far above their rounding.

    It takes a half to a quarter of the time of a window of one step in fixed
    point with bounds on small elections (Mechanical Turk, Gdynia, Lodz's
    districts: up to about a thousand ballot classes), and a fifth to a tenth of
    the same run in Fractions, which it replaces where rounding cannot settle a
    step (Warszawa 2020 Wola: 1.5 -> 0.2 s). On large elections with dozens of
    rounds D grows to hundreds of digits and fixed point wins by up to 2 times,
    so _mes_add1_run starts with it only below _ONE_STEP_UPTO classes (December
    2026). ``reach`` is worked out as _Run.reach does, from exact budgets.
    """
    n = data.n_voters
    unit_costs = data.costs
    costs = [c * n for c in unit_costs]  # times D
    scale = 1  # D
    budget = [data.budget + step * data.money_scale * n]  # per group, in 1/(n D)
    class_group = [0] * len(data.class_weight)
    members: list[dict[int, int]] = [{0: a} for a in data.approvals]
    approvals = data.approvals
    singles, repeated, supporters, neighbours = (
        data.single_supporters,
        data.repeated_supporters,
        data.supporters,
        data.neighbours,
    )
    stale: set[int] = set()
    alive = set(range(len(data.ids)))
    floor = dict.fromkeys(alive, -math.inf)  # lowest possible price ratio, as a float
    prices: dict[int, tuple[int, int, int]] = {}  # last price: (numerator, voters, D then)
    funded: list[int] = []
    varied = False
    broke: int | None = None  # the group of those with nothing left
    reach: int | None = None
    per_step = data.money_scale * n  # a step's money per voter, in 1/n units
    while True:
        best = -1
        best_num = best_rich = best_cost = 0
        ceiling = math.inf
        for p in sorted(alive, key=floor.__getitem__):
            if floor[p] > ceiling:
                break  # every later one is further behind
            price = prices.get(p)
            if price is None or p in stale:
                if p in stale:
                    counts: dict[int, int] = {}
                    _count_elements(counts, map(class_group.__getitem__, singles[p]))
                    for c, weight in repeated[p]:
                        g = class_group[c]
                        counts[g] = counts.get(g, 0) + weight
                    members[p] = counts
                    stale.discard(p)
                groups = members[p]
                cost = costs[p] * scale
                ids = list(groups)
                values = list(map(budget.__getitem__, ids))
                voters = list(groups.values())
                weighted = list(map(mul, values, voters))
                held = sum(weighted)
                if held < cost:
                    # Out of reach now, so for good: budgets only shrink during a run.
                    alive.discard(p)
                    del floor[p]
                    growing = sum(compress(voters, values)) * per_step * scale
                    if growing:
                        at = step + max(1, _ceil_div(cost - held, growing))
                        reach = at if reach is None or at < reach else reach
                    continue
                num, rich = cost, approvals[p]
                if len(values) > 1:  # one group holding enough: nobody poor
                    for i in sorted(range(len(values)), key=values.__getitem__):
                        if values[i] * rich >= num:
                            break
                        num -= weighted[i]
                        rich -= voters[i]
                        varied = True
                price = prices[p] = (num, rich, scale)
                floor[p] = num / (rich * scale * unit_costs[p])
            num, rich, then = price
            if then != scale:
                num *= scale // then
            unit = unit_costs[p]
            mine, theirs = num * best_rich * best_cost, best_num * rich * unit  # ratios, cross-multiplied
            if best < 0 or mine < theirs or (mine == theirs and p < best):
                best, best_num, best_rich, best_cost = p, num, rich, unit
                ceiling = floor[p] * (1 + 1e-9)
        if best < 0:
            return _Step(funded, varied, reach)
        # Pay q = best_num / best_rich: budgets in 1/(n D r) from here, r as small as may be.
        shared = math.gcd(best_num, best_rich)
        q, r = best_num // shared, best_rich // shared
        if r > 1:
            budget = [b * r for b in budget]
            scale *= r
        moved: dict[int, int] = {}
        for g in members[best]:
            b = budget[g]
            if b > q:
                moved[g] = len(budget)
                budget.append(b - q)
            else:
                if broke is None:
                    broke = len(budget)
                    budget.append(0)
                moved[g] = broke
        backers = supporters[best]
        if len(moved) == 1:  # every supporter in one group, as in every first round
            list(map(class_group.__setitem__, backers, repeat(next(iter(moved.values())))))
        else:
            list(map(class_group.__setitem__, backers, map(moved.__getitem__, map(class_group.__getitem__, backers))))
        stale.update(neighbours[best])
        funded.append(best)
        alive.discard(best)
        del floor[best]


def _steps(data: _MesInput, lanes: Lanes | None, first: int, count: int) -> list[list[int]]:
    """MES at the per-voter budgets budget/n + first, ... + first + count - 1: in
    floats where they are sure, in exact integers where not."""
    found: list[list[int] | None] = [None] * count if lanes is None else lanes.run(first, count)
    return [_exact_step(data, first + i) if funded is None else funded for i, funded in enumerate(found)]


def _over_budget(data: _MesInput, funded: list[int]) -> bool:
    return sum(data.costs[p] for p in funded) > data.budget


def _is_exhaustive(data: _MesInput, funded: list[int]) -> bool:
    left = data.budget - sum(data.costs[p] for p in funded)
    taken = set(funded)
    return all(data.costs[p] > left for p in range(len(data.ids)) if p not in taken)


_SPAN_TO_COMPARE = 4  # windows of this many steps on are timed against steps one by one
_STRETCH = 4  # steps one by one run for at least this many times a losing window's CPU
# Steps in the first batch of lanes after a window. Lanes cost less a step the more
# run side by side (France Toulouse 2022: 4-5 ms a step in batches of 8, 1.2 ms in
# batches of 64), so a first batch of 8 often lost to windows that then ran hundreds
# of steps at 5 ms. 32 against 8, same process, alternating, medians of 3-5 runs:
# Toulouse 2022 3.8 -> 2.3-2.4 s, Warszawa Mokotow 2023 3.3 -> 2.8 s, Targowek 2023
# 2.9 -> 1.9-2.6 s, Sielce 2019 1.2 -> 0.85 s, the Toulouse-like shape 4.5 -> 3.7 s;
# Warszawa 2026 (61,668 voters, a lane step costs 17 ms) 2.1 -> 2.6 s, as a batch
# can run past the step where Add1 stops (December 2026).
_FIRST_BATCH = 32
_ONE_STEP_UPTO = 1024  # ballot classes below which a run over one step is in exact integers (_one_step)
_LANES_HOPE = 4  # steps one by one are timed again once windows cost a quarter of them a step
_WINDOW_CAP = 2  # a window may cost this many times what steps one by one would
_LANES_AFTER = 0.2  # CPU seconds of windows before steps one by one are tried (numpy loads in 0.1-0.3 s)


def _mes_add1_run(data: _MesInput) -> list[int]:
    """pabutools ``voter_budget_increment=1``: the last outcome before overspending.

    Stepping by 1, it stops at the first step whose outcome is over the budget
    (returning the previous outcome) or exhaustive (returning it). Windows of
    steps with one certified outcome are passed in one go while they pay: from
    windows of 4 steps on (and 0.2 s of CPU), the steps after each window are run
    one by one (in batches of lanes) and timed. While a step costs less CPU than
    the window did per step (most of its steps had outcomes of their own), steps
    go on one by one, for 4 times the window's CPU, then 8, 16, ... times while
    windows keep losing; then a window of 4 steps is tried again, as outcomes
    change less often at some budgets than at others (a synthetic election of
    200 projects and 8,000 voters changes every 3 steps at first and every 20
    near the end). Comparing from windows of 16 steps on cost Warszawa 2020
    Praga-Poludnie 5.0 s against 3.3 s, as its first window of 16 steps took
    longer than steps one by one would have (December 2026). Either way each
    step's outcome is the exact one, so the choice only moves the time.
    """
    lanes: Lanes | None = None
    floats = True  # until the numbers prove too large for them: windows all the way
    step, span = 0, 0
    previous: list[int] | None = []
    patience = _STRETCH
    step_cost = 0.0  # CPU per step of the last steps one by one
    skim = _Skim()
    begun = thread_time()
    while True:
        # Small elections finish in windows before loading numpy would pay.
        timed = floats and span >= _SPAN_TO_COMPARE and thread_time() - begun >= _LANES_AFTER
        if timed and lanes is None:
            lanes = _lanes(data)
            floats = timed = lanes is not None
        # The clock is read only where the reading is used: a read costs 1-3 us of
        # CPU on this VM, and Add1 on Marysin Wawerski 2019 read it eleven times in
        # 500 us (December 2026).
        started, first = thread_time() if timed else 0.0, step
        # Once steps one by one have been timed, a window that costs more than
        # twice what they would for all its steps is left where it has got to.
        capped = timed and step_cost > 0
        cap = _WINDOW_CAP * step_cost * (span + 1) if capped else math.inf
        # Large elections load numpy for their groups after a long climb or, as for the
        # lanes, once the run has taken 0.2 s: Amsterdam 621 (9,750 classes) stops at
        # step 9, each step a run of thousands of groups a project (December 2026).
        if (
            data.arrays is None
            and len(data.class_weight) >= _ARRAYS_FROM
            and (step >= _ARRAYS_AFTER or thread_time() - begun >= _LANES_AFTER)
        ):
            data = _with_arrays(data)
        ended: list[_Run] | None = None if timed else []
        run: _Run | None = None
        found: Iterable[tuple[int, list[int] | None]]
        if span == 0 and len(data.class_weight) < _ONE_STEP_UPTO:  # the first step, when small
            one = _one_step(data, step)
            found = [(step, one.funded)]
        else:
            run = _Run(data, _window(data, step, step + span))
            run.guessing = not timed
            found = _outcomes(run, skim, ended=ended)
        for last, funded in found:
            if funded is not None:  # None: no step up to last stops Add1, outcomes unknown
                if _over_budget(data, funded):
                    return _outcome_before(data, step, previous)
                if _is_exhaustive(data, funded):
                    return funded
            previous, step = funded, last + 1
            if capped and thread_time() - started > cap:
                break
        if not timed:
            # Outcomes rarely change from one step to the next: try longer stretches.
            span = 2 * span or 1
            # Where the window was one run that ended with no project left within
            # reach, and every price it found was cost / supporters at every step
            # (nobody poor), its order of projects holds at higher budgets: its
            # outcome likely holds until a project comes within reach, so the
            # next window reaches up to the step before that (a guess, _Run.reach).
            # In small elections that is where the outcome changes: Marysin
            # Wawerski 2019's stop at step 10 took windows 0, 1-9 and 10-26, not
            # 0, 1-2, 3-5 and 6-10 split in two (December 2026). Where prices vary,
            # orders change too, and the guess alone made Gdynia 2022 Leszczynki's
            # window of steps 1-10 split eight times.
            if run is None:  # the first step alone, guessed alike (_one_step)
                reach = None if one.varied else one.reach
            else:
                reach = run.reach() if ended and ended[0] is run and not run.varied else None
            if reach is not None:
                span = max(span, reach - 1 - step)
            continue
        window_time = thread_time() - started
        per_step = window_time / (step - first)
        if per_step * _LANES_HOPE < step_cost:
            # Steps one by one lost by far last time and would again: windows on.
            span *= 2
            continue
        spent, count = 0.0, 0
        batch = min(_FIRST_BATCH, lanes.batch) if lanes is not None else 1
        while not count or (spent < count * per_step and spent < patience * window_time):
            started = thread_time()
            outcomes = _steps(data, lanes, step, batch)
            spent += thread_time() - started
            count += batch
            # Batches grow while they last: the last one runs past the stopping step.
            batch = min(2 * batch, lanes.batch) if lanes is not None else 1
            for funded in outcomes:
                if _over_budget(data, funded):
                    return _outcome_before(data, step, previous)
                if _is_exhaustive(data, funded):
                    return funded
                previous, step = funded, step + 1
        step_cost = spent / count
        if spent < count * per_step:  # steps one by one won: windows again later, and small
            patience *= 2
            span = _SPAN_TO_COMPARE
        else:
            patience = _STRETCH
            span *= 2


def _outcome_before(data: _MesInput, step: int, previous: list[int] | None) -> list[int]:
    """The outcome at the step before ``step``: ``previous``, or where that step was in
    a window passed over as a whole, MES at that step alone."""
    return _outcome_at(data, step - 1) if previous is None else previous


def _outcome_at(data: _MesInput, step: int) -> list[int]:
    """MES at one step: in exact integers where they are the faster (_one_step), else
    in a window of that step (no numpy needed)."""
    if len(data.class_weight) < _ONE_STEP_UPTO:
        return _exact_step(data, step)
    for _last, funded in _outcomes(_Run(data, _window(data, step, step))):
        assert funded is not None  # only windows given a _Skim are passed over
        return funded
    raise AssertionError("a window always has an outcome")


def _lanes(data: _MesInput) -> Lanes | None:
    """Lanes for steps one by one; numpy is loaded only once a run needs them."""
    from yishi.ballots.rules.mes_lanes import lanes_for  # noqa: PLC0415 — start-up cost (numpy)

    return lanes_for(data)


def _add1_by_steps(data: _MesInput, lanes: Lanes | None, step: int, previous: list[int]) -> list[int]:
    """Add1 from ``step`` on, steps one by one (``previous``: the outcome before it)."""
    batch = 1 if lanes is None else lanes.batch
    while True:
        for funded in _steps(data, lanes, step, batch):
            if _over_budget(data, funded):
                return previous
            if _is_exhaustive(data, funded):
                return funded
            previous, step = funded, step + 1


def mes(election: Election, add1: bool = True, fill: bool = True) -> list[str]:
    """Method of Equal Shares with cost utilities, as pabutools computes it.

    ``add1``: Add1 completion (per-voter budget raised by 1 while within budget).
    ``fill``: then spend what is left greedily by approvals (equalshares.net default).
    Returns project ids in the order they were funded.
    """
    tally = _tally(election)
    counts = tally.counts
    ids = _candidates(election, counts)
    voters = election.total_voters()
    funded: list[str]
    if voters == 0 or not ids:
        funded = []
    elif len(ids) == 1:
        funded = _lone_candidate(election, ids[0], counts[ids[0]], voters, add1)
    else:
        data = _mes_input(election, tally, ids)
        funded = [data.ids[p] for p in (_mes_add1_run(data) if add1 else _outcome_at(data, 0))]
    return fill_up(election, funded, counts) if fill else funded


def _lone_candidate(election: Election, pid: str, approvals: int, voters: int, add1: bool) -> list[str]:
    """MES with one fundable project, without the machinery.

    Plain MES funds it if its supporters' shares cover it. With Add1 the shares
    grow until they do, which is kept if the project fits in the budget at all.
    """
    cost = election.projects[pid].cost
    if add1:
        return [pid] if cost <= election.budget else []
    return [pid] if approvals * election.budget >= cost * voters else []


def mes_plain(election: Election) -> list[str]:
    """MES without any completion."""
    return mes(election, add1=False, fill=False)


def mes_add1(election: Election) -> list[str]:
    """MES with Add1 completion, not filled up."""
    return mes(election, add1=True, fill=False)
