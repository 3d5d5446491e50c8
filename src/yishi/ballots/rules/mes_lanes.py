"""Many consecutive Add1 steps of MES at once: one numpy lane per step, in floats.

Where Add1's outcome changes every few steps (Toulouse: 512 outcomes in 670
steps), windows of steps certified by bounds (mes._Run) keep splitting, and the
steps are run one by one. Consecutive steps still agree on most rounds and, round
by round, mostly price the same projects. So a batch of steps runs side by side,
each step a lane (a row of per-ballot-class budgets), and each round makes a few
numpy calls over every (lane, project) pair that needs pricing or paying: Python's
cost is per round of the batch, not per project and round of every step, and the
arithmetic over supporters runs in C. Toulouse's steps cost 1.7 ms each this way
against 5.5 ms one at a time in Python lists (December 2026).

On the largest electorates the lanes are bound by the passes over supporter
entries (Warszawa Mokotow 2023: 3,600 pricings of 23,000 entries each), so each
pricing makes as few of them as it can: gathers (2-4 ns an entry in numpy)
only where unavoidable, masks applied as products, per-pair values spread with
np.repeat, budget and error in one complex array, and the dead dropped (below).

Each lane runs MES as one step alone would, lazily priced:

* Within a run budgets only fall, so prices only rise, and a price ratio computed
  in an earlier round is a lower bound now. Every project starts at its floor 1/n
  (its ratio when nobody is short of money); a lane whose lowest ratio is out of
  date re-prices that one and looks again, until its lowest is current.

* Floats with a certificate at every decision. Each class budget carries a bound
  e on |float - exact|: the rounding of the starting share, then per payment the
  error of the price paid and one rounding (max(0, b - q) is 1-Lipschitz in b and
  q); a class that surely pays all it has (b + e below the price's lower bound)
  holds exactly 0 with e = 0, and keeps it (prices are positive: max(0, 0 - q) =
  0 exactly, so later payments leave it at 0 with e = 0). Such a broke class adds
  exact zeros to every sum below and its weight to the poor side at every
  positive price, so once it is broke in every lane still running, the batch
  (where projects have many supporters) drops it from its supporter lists and
  keeps only its weight per project (gone): sums over the rest are the same sums
  without zero terms, whose rounding bounds (counted for all supporters) still
  hold. From these bounds:
    - affordability: the float sum of the supporters' budgets is within sum w e
      plus rounding of the exact sum; closer than that is undecided;
    - a price q is the root of F(q) = sum w min(b, q) = cost. Moving budgets by at
      most e changes F by at most sum w e over the voters whose budget is not
      surely above the price (min(b, q) = q for the others), and F rises with
      slope at least the weight of those surely above it, so the price moves by at
      most their quotient; the code counts them in a band above the computed price
      and checks that the bound stays inside the band. The sums over the poor are
      of non-negative terms, each added once however they are grouped (a sweep of
      the fixed point adds the newcomers' terms to the sums it had), so the
      rounding bound for a sum of that many terms holds for them as for one
      reduction; those not surely above the band are the poor (b - e <= b < q)
      and the few between, summed apart. A set reproduces itself when checked
      over every entry or, while prices only rise, by its count (the poor stay
      poor) or over those near (below a cap the price has not passed: the rest
      hold at least the cap);
    - a price where every supporter surely has more than cost/k, the others (n - k
      of them) surely nothing, is exactly cost/k, ratio exactly 1/k (looked for
      before the poor set's fixed point in short pricing calls, after it in long
      ones: where its poor all hold e = 0 they are the broke, and k is the weight
      of the others). Such prices are flagged exact, and two exact ratios compare
      exactly as floats (1.0/k falls strictly with k), so the exact ties of real
      elections (as many supporters with money, nobody short) are broken by id
      as in fractions.
  The round's winner is certified against every project whose ratio comes within
  the error bounds of its own (re-pricing those that are out of date): either both
  ratios are exact, or they are apart by more than both errors. A lane whose
  decision the bounds cannot settle stops, and its step is returned as None, to
  be run again in exact integers (mes._exact_step). So every outcome is the
  exact one.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Protocol

import numpy as np


class MesData(Protocol):
    """What lanes read of mes._MesInput (projects by tie-break rank, ballot classes)."""

    @property
    def costs(self) -> list[int]: ...  # in units of 1/money_scale
    @property
    def supporters(self) -> list[list[int]]: ...  # project -> ballot classes approving it
    @property
    def neighbours(self) -> list[list[int]]: ...  # project -> projects sharing a supporter
    @property
    def class_weight(self) -> list[int]: ...
    @property
    def approvals(self) -> Sequence[int]: ...
    @property
    def n_voters(self) -> int: ...
    @property
    def budget(self) -> int: ...
    @property
    def money_scale(self) -> int: ...


_U = 2.0**-52  # twice the unit roundoff, as in mes.py
_INF = float("inf")
_MAX_SWEEPS = 64  # rounds of the poor-set fixed point before a lane gives up
_FLOAT_LIMIT = 2**50  # costs and budgets (scaled to whole units) up to this run in floats
_CELLS = 2**21  # lanes x ballot classes of one batch at most: one complex array of 32 MB
_FAR = 1e300  # above every budget (a finite stand-in for inf: inf * 0 is nan)
_DROP_AT = 0.1  # dead classes are dropped from the lists once they hold this share of the entries
_SLICED = 512  # entries per project above which a call's supporter lists are built slice by slice
_DEAD_FROM = 256  # supporters a project on average from which dead classes are dropped
_FEW = 4096  # supporter entries of a pricing call below which exact prices are looked for first
_MOST_LANES = 64  # more lanes than this stopped paying on Toulouse (1.7 ms a step at 64 and 128)


def _pair_of(starts: np.ndarray, entries: np.ndarray) -> np.ndarray:
    """The pair each entry of the flat supporter list belongs to (pairs start at ``starts``)."""
    return np.searchsorted(starts, entries, side="right") - 1


def lanes_for(data: MesData) -> Lanes | None:
    """Lanes for this election, or None if its numbers are too large for floats."""
    if max(data.costs) >= _FLOAT_LIMIT or data.budget >= _FLOAT_LIMIT or data.n_voters >= _FLOAT_LIMIT:
        return None  # voter counts too: from 2**53 on, 1/k would not be exact
    return Lanes(data)


class Lanes:
    """Per-election arrays for lane runs: supporters as one flat list, costs, neighbours."""

    def __init__(self, data: MesData) -> None:
        self.data = data
        weights = np.asarray(data.class_weight, dtype=np.float64)
        sizes = np.array([len(s) for s in data.supporters], dtype=np.intp)
        self.indptr = np.concatenate(([0], np.cumsum(sizes)))
        self.sizes = sizes
        self.classes = np.concatenate([np.asarray(s, dtype=np.intp) for s in data.supporters])
        self.weights = weights[self.classes]
        size = len(data.costs)
        self.neighbours = np.zeros((size, size), dtype=bool)
        for p, near in enumerate(data.neighbours):
            self.neighbours[p, near] = True
        self.costs = np.array([float(c) for c in data.costs])
        self.approvals = np.array([float(n) for n in data.approvals])
        self.floor = 1.0 / self.approvals
        self.floor_err = _U / self.approvals
        self.batch = max(1, min(_MOST_LANES, _CELLS // len(data.class_weight)))
        self.total_weight = np.add.reduceat(self.weights, self.indptr[:-1])  # every project has supporters
        self.class_size = np.bincount(self.classes, minlength=len(data.class_weight))  # its projects
        # Dropping dead classes pays where pricing is bound by the entries, not by the calls
        # (Warszawa Bialoleka 2023, 1,160 supporters a project: 1.6 s against 1.9 s for its
        # lanes; Toulouse 2024, 70: 2.8 s against 2.5 s, December 2026).
        self.dead_counted = self.indptr[-1] >= _DEAD_FROM * size

    def run(self, first: int, count: int) -> list[list[int] | None]:
        """Outcomes (funded projects in order) at steps first..first+count-1; None where unsure."""
        return _Batch(self, first, count).run()


class _Batch:
    def __init__(self, lanes: Lanes, first: int, count: int) -> None:
        data = lanes.data
        self.lanes = lanes
        size = len(data.costs)
        start = np.array(
            [data.budget / data.n_voters + step * data.money_scale for step in range(first, first + count)]
        )
        classes = len(data.class_weight)
        # Class-major and flat: lane l's budget of class c is at c * count + l.
        self.width = count
        # Each class budget with its error bound as one complex number (budget + error j):
        # one gather and one scatter for both.
        self.money = np.tile(start + 1j * (_U * start), classes)
        # The supporter lists of this batch (CSR, by project): a class surely broke (budget
        # and error exactly 0) in every lane still running is dropped from them, and its
        # weight counted in gone instead (see _count_broke).
        self.cls = lanes.classes
        self.rows = lanes.classes * count  # where each entry's class starts in money (flat)
        self.weights = lanes.weights
        self.indptr, self.sizes = lanes.indptr, lanes.sizes
        self.lo, self.hi = self.indptr[:-1].tolist(), self.indptr[1:].tolist()
        self.gone = np.zeros(size)
        self.dead = np.zeros(classes, dtype=bool)
        self.pending = 0  # entries of dead classes still in the lists
        self.broke = np.zeros(classes, dtype=np.intp)  # per class: running lanes where it is broke
        self.running = np.ones(count, dtype=bool)
        self.alive = count  # lanes running
        self.key = np.repeat(lanes.floor[None, :], count, axis=0)  # inf once funded or out of reach
        self.key_err = np.repeat(lanes.floor_err[None, :], count, axis=0)
        self.fresh = np.zeros((count, size), dtype=bool)  # key is the current ratio, not a lower bound
        self.exact = np.zeros((count, size), dtype=bool)
        self.price = np.zeros((count, size))
        self.price_err = np.zeros((count, size))
        self.unsure = np.zeros(count, dtype=bool)
        self.paid: list[tuple[np.ndarray, np.ndarray]] = []  # per round: lanes, their winners

    def run(self) -> list[list[int] | None]:
        count = len(self.unsure)
        active = np.arange(count)
        while active.size:
            winners = self._round(active)
            chosen = winners >= 0
            active, winners = active[chosen], winners[chosen]
            if active.size:
                self._pay(active, winners)
                active = active[~self.unsure[active]]
        funded: list[list[int]] = [[] for _ in range(count)]
        for lanes, winners in self.paid:
            for lane, p in zip(lanes.tolist(), winners.tolist(), strict=True):
                funded[lane].append(p)
        return [None if unsure else f for unsure, f in zip(self.unsure.tolist(), funded, strict=True)]

    # -- choosing -----------------------------------------------------------

    def _round(self, active: np.ndarray) -> np.ndarray:
        """Each active lane's certified winner this round; -1: run over or unsure."""
        winners = np.full(active.size, -1)
        todo = np.arange(active.size)  # positions in active still choosing
        while todo.size:
            best = self._front_runners(active[todo])
            winners[todo] = best
            chosen = best >= 0
            todo, best = todo[chosen], best[chosen]
            # Whoever could come within both errors of the winner must be current.
            again = self._challengers(active[todo], best)
            todo = todo[again]
            winners[todo] = -1
        winners[self.unsure[active]] = -1
        return winners

    def _front_runners(self, lanes: np.ndarray) -> np.ndarray:
        """Per lane, the project with the lowest current ratio (-1: none left or unsure).

        Out-of-date ratios are lower bounds, so a lane whose lowest one is out of date
        re-prices that one and looks again (lazy pricing), all lanes in one call.
        """
        result = np.full(lanes.size, -1)
        todo = np.arange(lanes.size)
        while todo.size:
            rows = lanes[todo]
            keys = self.key[rows]
            best = keys.argmin(axis=1)  # ties: the lowest index, the tie-break rank
            some = keys[np.arange(rows.size), best] < _INF
            stale = some & ~self.fresh[rows, best]
            done = some & ~stale
            result[todo[done]] = best[done]
            if not stale.any():
                break
            todo = todo[stale]
            self._reprice(lanes[todo], best[stale])
            todo = todo[~self.unsure[lanes[todo]]]
        return result

    def _challengers(self, lanes: np.ndarray, best: np.ndarray) -> np.ndarray:
        """Certify each lane's front-runner; True where a re-priced project may now lead.

        Lanes whose decision floats cannot settle are marked unsure.
        """
        again = np.zeros(lanes.size, dtype=bool)
        todo = np.arange(lanes.size)
        order = np.arange(self.key.shape[1])
        while todo.size:
            rows, win = lanes[todo], best[todo]
            span = np.arange(rows.size)
            keys = self.key[rows]
            lead = keys[span, win]
            near = (keys - self.key_err[rows]) <= (lead + self.key_err[rows, win])[:, None]
            near[span, win] = False
            stale = near & ~self.fresh[rows]
            if not stale.any():
                both_exact = self.exact[rows] & self.exact[rows, win][:, None]
                self.unsure[rows[(near & ~both_exact).any(axis=1)]] = True
                return again
            which, project = np.nonzero(stale)
            self._reprice(rows[which], project)
            # A re-priced project now ahead (or tied with a lower rank) makes the lane choose again.
            keys = self.key[rows]
            ahead = (keys < lead[:, None]) | ((keys == lead[:, None]) & (order < win[:, None]))
            moved = ahead.any(axis=1)
            gone = self.unsure[rows]
            again[todo[moved & ~gone]] = True
            todo = todo[~moved & ~gone]
        return again

    # -- pricing ------------------------------------------------------------

    def _entries(
        self, lanes: np.ndarray, projects: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The supporters of the pairs (lanes[i], projects[i]), sorted by project, as one
        flat list, pair after pair: where each pair starts in it and its size, and per
        entry where its money is and its class weight.

        Numpy's gathers (a[idx], a[mask]) cost 2-4 ns an entry against 0.3-0.6 ns for
        arithmetic and reductions, so the list is built from each project's slice of
        the supporter lists, shifted by each of its lanes in one broadcast sum (a call
        prices 2-5 projects in 20-40 pairs on Warszawa Mokotow 2023 and the synthetic
        15,000-voter shape).
        """
        sizes = self.sizes[projects]
        ends = np.cumsum(sizes)
        starts = ends - sizes
        total = int(ends[-1])
        cut = [0, *(np.flatnonzero(projects[1:] != projects[:-1]) + 1).tolist(), projects.size]
        if total < _SLICED * (len(cut) - 1):
            # Short blocks (few supporters a pair): positions in one go.
            position = np.arange(total) + np.repeat(self.indptr[projects] - starts, sizes)
            at = np.take(self.rows, position) + np.repeat(lanes, sizes)
            return starts, sizes, at, np.take(self.weights, position)
        lo, hi, rows, weights = self.lo, self.hi, self.rows, self.weights
        at = np.empty(total, dtype=np.intp)
        w = np.empty(total)
        first, last = starts.tolist(), ends.tolist()
        for i, j in pairwise(cut):
            p = int(projects[i])
            a, b = lo[p], hi[p]
            s, e = first[i], last[j - 1]
            np.add(rows[a:b], lanes[i:j, None], out=at[s:e].reshape(j - i, b - a))
            w[s:e].reshape(j - i, b - a)[:] = weights[a:b]
        return starts, sizes, at, w

    def _reprice(self, lanes: np.ndarray, projects: np.ndarray) -> None:
        """Current price of each pair (lanes[i], projects[i]), with its error; key inf
        where out of reach (for the rest of the run: budgets only fall).

        Each pair's supporters are one contiguous segment of the flat arrays, so every
        per-pair sum or minimum is one reduceat over all pairs. Masked sums multiply by
        the mask (x * True == x, x * False == 0 for the finite, non-negative x here: the
        same values as np.where at half its cost), and per-pair values are spread over
        their entries with np.repeat (a gather by pair costs six times more).
        """
        info = self.lanes
        # By project, then lane: the pairs of one project read the same classes, whose
        # lanes sit side by side in memory, so one pair's reads bring in the next one's.
        order = np.argsort(projects * self.width + lanes)
        lanes, projects = lanes[order], projects[order]
        starts, sizes, at, w = self._entries(lanes, projects)
        money = np.take(self.money, at)
        budget, error = money.real, money.imag
        n, cost, gone = info.approvals[projects], info.costs[projects], self.gone[projects]
        self.fresh[lanes, projects] = True
        low = budget - error
        share = cost / n
        # Everyone surely richer than cost/n: the price is exactly cost/n, ratio 1/n.
        rich = (np.minimum.reduceat(low, starts) > share * (1 + _U)) & (gone == 0)
        if rich.any():
            self._set_exact(lanes[rich], projects[rich], n[rich], share[rich], _U * share[rich])
            rest = ~rich
            if not rest.any():
                return
            lanes, projects, n, cost, gone = lanes[rest], projects[rest], n[rest], cost[rest], gone[rest]
            keep = np.repeat(rest, sizes)
            budget, error, low, w = budget[keep], error[keep], low[keep], w[keep]
            sizes = sizes[rest]
            starts = np.cumsum(sizes) - sizes
        wb, we = w * budget, w * error
        total = np.add.reduceat(wb, starts)
        # The dead add exact zeros to these sums: the bound for all supporters holds.
        rounding = (info.sizes[projects] + 2) * _U * (total + cost)
        slack = np.add.reduceat(we, starts) + rounding
        settled = np.zeros(n.size, dtype=bool)
        early = budget.size < _FEW
        if early:
            # The test for an exact price below (the poor are the broke), made before the
            # sweeps, which the pairs it settles then skip: where calls are short, their
            # count costs more than the passes (Toulouse 2024, where exact prices are
            # common: 2.5 s against 2.9 s after the sweeps, December 2026).
            broke = we == 0
            payers = n - gone - np.add.reduceat(w * broke, starts)
            k_share = cost / np.where(payers > 0, payers, 1.0)
            low_payer = np.minimum.reduceat(low + broke * _FAR, starts)
            settled = (payers < n) & (payers > 0) & (low_payer > k_share * (1 + _U))
            if settled.any():
                self._set_exact(
                    lanes[settled], projects[settled], payers[settled], k_share[settled], _U * k_share[settled]
                )
        out = ~settled & (total < cost - slack)
        # Too close to call, unless the price is exact (below): settled after the sweeps.
        close = ~out & (total <= cost + slack)
        go = ~out & ~settled
        if out.any():
            self.key[lanes[out], projects[out]] = _INF
        if not go.any():
            return
        idle = ~go
        if 2 * np.count_nonzero(go) < go.size:
            # Mostly settled already: carry on with the rest alone.
            lanes, projects, n, cost, rounding = lanes[go], projects[go], n[go], cost[go], rounding[go]
            gone, close = gone[go], close[go]
            keep = np.repeat(go, sizes)
            budget, low, w, wb, we = budget[keep], low[keep], w[keep], wb[keep], we[keep]
            sizes = sizes[go]
            starts = np.cumsum(sizes) - sizes
            go = np.ones(lanes.size, dtype=bool)
            idle = ~go
        # The others' sums below are computed and ignored; their price is held at -1,
        # below every budget (budgets are never negative), so their poor sets stay empty.
        some_idle = idle.any()
        # The poor set's fixed point: from any guess, the price a set implies moves the
        # guess towards the true poor set (from a subset, the price is at most the true
        # one; from a superset, at most too, so the extra ones drop out), and a set that
        # reproduces itself is the true one. The last price is the guess: prices only
        # rise during a run, so the poor set rarely changes from one pricing to the next.
        q = np.maximum(cost / n, self.price[lanes, projects])
        if some_idle:
            q[idle] = -1.0
        poor = budget < np.repeat(q, sizes)
        poor_b, poor_w = np.add.reduceat(wb * poor, starts), np.add.reduceat(w * poor, starts)
        poor_count = np.count_nonzero(poor)
        none = np.empty(0, dtype=np.intp)
        narrow, near, near_pair, cap = False, none, none, q

        def add_poor(moved: np.ndarray, pair: np.ndarray) -> None:
            # Newcomers' terms added to their pairs' sums: each term still added once.
            nonlocal poor_b, poor_w, poor_count
            poor_b = poor_b + np.bincount(pair, wb[moved], minlength=n.size)
            poor_w = poor_w + np.bincount(pair, w[moved], minlength=n.size)
            poor_count += moved.size

        for _ in range(_MAX_SWEEPS):
            num = cost - poor_b
            den = n - gone - poor_w
            last, q = q, num / np.where(den > 0, den, 1.0)
            if some_idle:
                q[idle] = -1.0
            up = (q >= last).all()
            if narrow:
                if up and (q <= cap).all():
                    # Whoever is neither poor nor near holds at least cap >= q: only the
                    # near can join.
                    joined = budget[near] < q[near_pair]
                    if not joined.any():
                        break
                    moved = near[joined]
                    poor[moved] = True
                    add_poor(moved, near_pair[joined])
                    near, near_pair = near[~joined], near_pair[~joined]
                    continue
                narrow = False  # a full sweep from here
            settled = budget < np.repeat(q, sizes)
            if up:
                # No price fell, so whoever was poor still is: the same set if it has as
                # many (a count, not a comparison and a search over every entry).
                if np.count_nonzero(settled) == poor_count:
                    break
                moved = np.flatnonzero(settled ^ poor)
            else:
                moved = np.flatnonzero(settled != poor)
                if not moved.size:
                    break
            poor = settled
            if poor[moved].all():
                # Only newcomers (the usual case, from a guess below the price): their
                # terms added to each pair's sums, not the sums made again over every
                # entry (3.1 sweeps a pricing on Warszawa Mokotow 2023). Each term is
                # still added once, so the sums' rounding bound is the same.
                add_poor(moved, _pair_of(starts, moved))
                if up:
                    # The price rose by q - last; the next sweeps look only at those not
                    # poor below q plus as much again (near), while no price passes it
                    # (Warszawa Mokotow 2023: full sweeps 3.2 -> 1.03 a pricing, the near
                    # 590 of 19,400 entries; synthetic 15,000-voter shape: _reprice
                    # 16.6 -> 14.8 s, December 2026).
                    cap = 2 * q - last
                    near = np.flatnonzero((budget < np.repeat(cap, sizes)) > poor)
                    near_pair = _pair_of(starts, near)
                    narrow = True
            else:
                poor_b, poor_w = np.add.reduceat(wb * poor, starts), np.add.reduceat(w * poor, starts)
                poor_count = np.count_nonzero(poor)
        else:
            self.unsure[lanes[go]] = True
            return
        poor_err = np.add.reduceat(we * poor, starts)
        # The surely broke (b = e = 0, so w e = 0: weights are positive and errors never 0
        # otherwise) pay nothing and are poor at every positive price; the dead (gone) are
        # broke. Where the poor are the broke, k = den of them have money (weights are
        # whole numbers below 2**53: counts are exact) and q = cost/k; if each of those
        # surely has more than cost/k, the price is exactly cost/k, ratio 1/k. (The test
        # before the sweeps, where it was made, is the same: there payers = den, k_share = q.)
        tied = go & (poor_err == 0) & (den > 0) & (den < n)
        if not early and tied.any():
            # The poor hold b - e = 0: lifted out of the way (budgets are below 2**50).
            low_payer = np.minimum.reduceat(low + poor * _FAR, starts)
            tied &= low_payer > q * (1 + _U)
            if tied.any():
                self._set_exact(lanes[tied], projects[tied], den[tied], q[tied], _U * q[tied])
                go &= ~tied
        self.unsure[lanes[close & go]] = True
        go &= ~close
        positive = np.where(den > 0, den, 1.0)
        band = 2 * (poor_err + rounding) / positive
        # Those not surely above q + band are the poor and a few around the price: as
        # band >= 0 and b - e <= b, whoever is surely above it is not poor. Only the few
        # are summed here; the sure weight is exact either way (whole numbers).
        between = np.flatnonzero((low <= np.repeat(q + band, sizes)) > poor)
        pair = _pair_of(starts, between)
        sure = den - np.bincount(pair, w[between], minlength=n.size)
        unsure_err = rounding + (poor_err + np.bincount(pair, we[between], minlength=n.size))
        q_err = unsure_err / np.where(sure > 0, sure, 1.0)
        # q_err must stay inside the band, with a margin for the rounding of b - e and of
        # q + band in the test of who is surely above it (a read-only review, December 2026).
        inside = q_err <= band * (1 - 4 * _U) - 2 * _U * q
        bad = go & ((den <= 0) | (sure == 0) | ~inside | (q <= 0))  # q > 0: the dead are poor
        self.unsure[lanes[bad]] = True
        good = go & ~bad
        q, q_err = q[good], q_err[good] + _U * q[good]
        lanes, projects, cost = lanes[good], projects[good], cost[good]
        key = q / cost
        self.key[lanes, projects] = key
        self.key_err[lanes, projects] = q_err / cost + _U * key
        self.exact[lanes, projects] = False
        self.price[lanes, projects] = q
        self.price_err[lanes, projects] = q_err

    def _set_exact(
        self, lanes: np.ndarray, projects: np.ndarray, k: np.ndarray, price: np.ndarray, err: np.ndarray
    ) -> None:
        """An exact price cost/k: ratio exactly 1/k (1.0/k falls strictly with k)."""
        self.key[lanes, projects] = 1.0 / k
        self.key_err[lanes, projects] = _U / k
        self.exact[lanes, projects] = True
        self.price[lanes, projects] = price
        self.price_err[lanes, projects] = err

    # -- paying -------------------------------------------------------------

    def _pay(self, lanes: np.ndarray, winners: np.ndarray) -> None:
        """Charge each lane's winner's supporters: max(0, b - q), or surely 0.

        The lanes of a round mostly pay the same winner (1.4 winners a round on the
        synthetic 15,000-voter shape), so each winner's supporters are read as whole
        rows of the class-major money (one row per class, a lane per column: copies of
        contiguous runs, not a gather per entry) over the columns from its first paying
        lane to its last; the other lanes in between keep their values exactly.
        """
        order = np.argsort(winners * self.width + lanes)
        lanes, winners = lanes[order], winners[order]
        money = self.money.reshape(-1, self.width)
        price, price_err = self.price[lanes, winners], self.price_err[lanes, winners]
        cut = [0, *(np.flatnonzero(winners[1:] != winners[:-1]) + 1).tolist(), winners.size]
        counted = self.lanes.dead_counted
        went = False
        for i, j in pairwise(cut):
            p = int(winners[i])
            classes = self.cls[self.lo[p] : self.hi[p]]
            first, last = int(lanes[i]), int(lanes[j - 1]) + 1
            columns = lanes[i:j] - first
            q, q_err = np.zeros(last - first), np.zeros(last - first)
            q[columns], q_err[columns] = price[i:j], price_err[i:j]
            paying = np.zeros(last - first, dtype=bool)
            paying[columns] = True
            block = money[classes, first:last]
            budget, error = block.real, block.imag
            # Else surely pays all it has: exactly 0 left. The broke (e = 0, so b = 0: an
            # exact 0, and prices are positive) stay so.
            has = error > 0
            left = budget + error >= q - q_err
            left &= has
            after = np.empty_like(block)
            after.real = np.maximum(budget - q, 0.0) * left
            # max(0, b - q) is 1-Lipschitz in b and q; one more rounding of b - q
            after.imag = (error + q_err + _U * budget) * left
            if j - i < last - first:
                after = np.where(paying, after, block)
            money[classes, first:last] = after
            if counted:  # the lanes not paying have q = q_err = 0 here: left = has
                broke = np.count_nonzero(has ^ left, axis=1)
                if broke.any():
                    self.broke[classes] += broke  # a project's classes are distinct
                    went = True
        if counted:
            self._count_broke(lanes, went)
        self.key[lanes, winners] = _INF
        self.fresh[lanes] &= ~self.lanes.neighbours[winners]
        self.paid.append((lanes, winners))

    def _count_broke(self, lanes: np.ndarray, went: bool) -> None:
        """Count the classes broke in these lanes, the ones still running (_pay has
        counted those that went broke in its payment, went if any); once the classes
        broke in all of them (dead for the rest of the batch) hold a tenth of the lists'
        entries, drop them from the lists.

        A broke class holds exactly 0 (b = e = 0: the exact budget is 0) and keeps it, as
        prices are positive; it pays nothing, adds 0 to every sum and its weight to the
        poor side at every price, so its weight is enough (Warszawa Mokotow 2023: 26% of
        the entries priced were of dead classes, December 2026).
        """
        if lanes.size < self.alive:  # lanes only ever stop
            running = np.zeros(self.width, dtype=bool)
            running[lanes] = True
            errors = self.money.imag.reshape(-1, self.width)
            self.broke -= (errors[:, self.running & ~running] == 0).sum(axis=1)
            self.running, self.alive = running, lanes.size
        elif not went:
            return
        dead = np.flatnonzero(self.broke == lanes.size)
        if not dead.size:
            return
        self.broke[dead] = -self.width - 1  # never counted dead again
        self.dead[dead] = True
        self.pending += int(self.lanes.class_size[dead].sum())
        if self.pending < _DROP_AT * self.indptr[-1]:
            return
        self.pending = 0
        keep = ~self.dead[self.cls]
        self.cls, self.rows, self.weights = self.cls[keep], self.rows[keep], self.weights[keep]
        sizes = np.diff(np.concatenate(([0], np.cumsum(keep)))[self.indptr])
        # The weight left per project: whole numbers below 2**53, so sums are exact.
        some = sizes > 0
        left = np.zeros(sizes.size)
        left[some] = np.add.reduceat(self.weights, (np.cumsum(sizes) - sizes)[some])
        self.gone = self.lanes.total_weight - left
        # A project none of whose supporters has money left in any running lane is out
        # of reach there (reduceat needs every segment non-empty).
        self.key[:, (sizes == 0) & (self.sizes > 0)] = _INF
        self.sizes = sizes
        self.indptr = np.concatenate(([0], np.cumsum(sizes)))
        self.lo, self.hi = self.indptr[:-1].tolist(), self.indptr[1:].tolist()
