"""Greedy counting: most approved first, skipping what no longer fits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from yishi.ballots.rules.model import Cost, Election, approval_counts, as_exact


def _greedy_order(election: Election, counts: Mapping[str, int]) -> list[str]:
    return sorted(election.projects, key=lambda pid: (-counts[pid], pid))


def _greedy_fill(
    election: Election,
    order: Iterable[str],
    chosen: list[str],
    *,
    no_skip: bool = False,
    remaining: Cost | None = None,  # what ``chosen`` leaves of the budget, where known
) -> list[str]:
    chosen = list(chosen)
    taken = set(chosen)
    if remaining is None:
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


def fill_up(election: Election, funded: list[str], counts: Mapping[str, int] | None = None) -> list[str]:
    """Spend what ``funded`` leaves greedily by approvals (ties by id), as greedy does."""
    counts = approval_counts(election) if counts is None else counts
    # What costs more than is left already never fits: only the rest is ordered.
    left = election.budget - election.cost_of(funded)
    taken = set(funded)
    fits = [pid for pid, p in election.projects.items() if p.cost <= left and pid not in taken]
    if not fits:  # as after every exhaustive MES + Add1
        return list(funded)
    return _greedy_fill(election, sorted(fits, key=lambda pid: (-counts[pid], pid)), funded, remaining=left)
