"""The election model: projects, budget, approval ballots, and the approvals they add up to.

Money is exact (``int`` or ``fractions.Fraction``) everywhere: MES compares ratios
that tie exactly in real elections, and floats would break those ties differently
from the reference implementation (pabutools), which uses exact rationals.

Project ids are strings and are only ever compared as strings ('10' < '9').
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from itertools import chain

Cost = int | Fraction


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
    elif isinstance(value, Decimal):
        frac = Fraction(value)
    elif isinstance(value, numbers.Rational):  # numpy's integers, for one
        frac = Fraction(int(value.numerator), int(value.denominator))
    else:
        raise TypeError(f"not an amount of money: {value!r}")
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
        if self.budget < 0:
            raise ValueError("the budget cannot be negative")
        self.ballots = [frozenset(b) for b in self.ballots]
        for pid, project in list(self.projects.items()):
            if pid != project.id:
                raise ValueError(f"project key {pid!r} differs from its id {project.id!r}")
            cost = as_exact(project.cost)
            if cost < 0:
                raise ValueError(f"project {pid!r} has a negative cost")
            if cost is not project.cost:
                self.projects[pid] = replace(project, cost=cost)
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


def _distinct_ballots(election: Election) -> Counter[frozenset[str]]:
    """Voters per distinct ballot: real elections repeat a few popular ballots a lot."""
    if election.weights is None:
        return Counter(election.ballots)
    grouped: Counter[frozenset[str]] = Counter()
    for ballot, weight in zip(election.ballots, election.weights, strict=True):
        grouped[ballot] += weight
    return grouped


def approval_counts(election: Election, grouped: Counter[frozenset[str]] | None = None) -> dict[str, int]:
    """Weighted number of approvals per project (0 for projects nobody approved)."""
    counts = dict.fromkeys(election.projects, 0)
    if grouped is None and election.weights is None:
        # One C-level pass over every approval beats grouping ballots first.
        counts.update(Counter(chain.from_iterable(election.ballots)))
        return counts
    for ballot, weight in (_distinct_ballots(election) if grouped is None else grouped).items():
        for pid in ballot:
            counts[pid] += weight
    return counts
