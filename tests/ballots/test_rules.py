"""Counting rules (yishi.ballots.rules): hand-worked cases, Pabulib I/O, real elections.

The real elections live outside the project (../shared/data/pabulib). Without them
these tests skip, except under CI=true, where a missing folder is a failure.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib
import json
import os
import random
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yishi.ballots.rules import (
    Election,
    Project,
    approval_counts,
    fill_up,
    greedy,
    greedy_variant,
    mes,
    mes_add1,
    mes_plain,
    parse_pb,
    write_pb,
)
from yishi.ballots.rules.mes_lanes import lanes_for
from yishi.ballots.rules.model import as_exact

engine = importlib.import_module("yishi.ballots.rules.mes")  # the module, not rules.mes the function

pytestmark = pytest.mark.pure  # no database: the per-test clean-up is skipped

DATA = Path(__file__).resolve().parents[2].parent / "shared/data/pabulib"


def _need_data() -> None:
    if (DATA / "expected.json").is_file():
        return
    message = f"Pabulib test data not found at {DATA}"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (required when CI=true)")
    pytest.skip(message)


def _expected() -> list[dict]:
    path = DATA / "expected.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []


EXPECTED = _expected()


def election(costs: dict[str, object], budget: object, ballots: list[set[str]], **kw: object) -> Election:
    return Election.from_costs(costs, budget, ballots, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Hand-worked cases (numbers in the comments are the working)
# ---------------------------------------------------------------------------


def test_empty_ballots() -> None:
    # Nobody approves anything: greedy goes by id with 0 approvals each and
    # skips what does not fit, MES has no candidate, the fill is greedy's.
    e = election({"a": 10, "b": 20}, 25, [set(), set(), set()])
    assert approval_counts(e) == {"a": 0, "b": 0}
    assert greedy(e) == ["a"]  # a (10); b would need 30 > 25
    assert mes_plain(e) == []
    assert mes_add1(e) == []
    assert mes(e) == ["a"]


def test_zero_voters() -> None:
    e = election({"a": 10, "b": 20}, 25, [])
    assert greedy(e) == ["a"]
    assert greedy_variant(e) == ["a"]
    assert mes_plain(e) == []
    assert mes_add1(e) == []
    assert mes(e) == ["a"]


def test_all_same_cost() -> None:
    # 4 voters: {a,b} {a} {b} {c}; every project costs 10; budget 20.
    e = election({"a": 10, "b": 10, "c": 10}, 20, [{"a", "b"}, {"a"}, {"b"}, {"c"}])
    # greedy: a 2, b 2, c 1 -> a, b (ties by id) -> 20 spent, c does not fit
    assert greedy(e) == ["a", "b"]
    # MES, 5 each: a and b each cost their 2 supporters 5 (rho 1/2), tie -> a.
    # Voter {a,b} is then broke, so b has 0 + 5 < 10; c has 5 < 10. Stop.
    assert mes_plain(e) == ["a"]
    # Add1: at 6 and 7 each, b gets 1 + 6 and 2 + 7 < 10. At 8: 3 + 8 = 11,
    # price: 10/2 = 5 > 3, so {a,b} pays 3 and {b} pays 7 <= 8. {a, b} costs 20
    # = budget, c cannot fit: exhaustive.
    assert mes_add1(e) == ["a", "b"]
    assert mes(e) == ["a", "b"]


def test_ties_broken_by_id_as_string() -> None:
    # '10' < '9' as strings; numbers would pick '9'.
    e = election({"9": 10, "10": 10}, 10, [{"9", "10"}, {"9", "10"}])
    assert greedy(e) == ["10"]
    # 5 each: both cost each supporter 5 (rho 1/2): tie -> '10'; then broke.
    assert mes_plain(e) == ["10"]
    assert mes_add1(e) == ["10"]  # spends all 10: exhaustive at once
    assert mes(e) == ["10"]


def test_project_costing_more_than_the_budget() -> None:
    e = election({"big": 100, "small": 10}, 50, [{"big", "small"}] * 3)
    # greedy: 3 approvals each, 'big' first by id, but 100 > 50: skipped
    assert greedy(e) == ["small"]
    # MES: shares 50/3; big: 3 * 50/3 = 50 < 100, never affordable; small 10/3 each
    assert mes_plain(e) == ["small"]
    # Add1: 40 left < 100, so {small} is exhaustive at the first step
    assert mes_add1(e) == ["small"]
    assert mes(e) == ["small"]


def test_budget_exactly_met() -> None:
    # 5 voters approve both; shares 10. a: 30/5 = 6 each (rho 1/5); b: 20/5 = 4
    # (rho 1/5): tie -> a. Left 4 each, 5 * 4 = 20 = cost of b: exactly affordable.
    e = election({"a": 30, "b": 20}, 50, [{"a", "b"}] * 5)
    assert greedy(e) == ["a", "b"]
    assert mes_plain(e) == ["a", "b"]
    assert mes_add1(e) == ["a", "b"]
    assert mes(e) == ["a", "b"]


def test_add1_keeps_the_last_outcome_within_budget() -> None:
    # Shares 1/3: x and y each have 2 supporters with 2/3 < 1: nothing funded.
    # Step 1 (4/3 each): x costs 1/2 each (tie with y -> x), then y is affordable
    # too: {x, y} costs 2 > 1, so Add1 keeps the previous outcome: nothing.
    e = election({"x": 1, "y": 1}, 1, [{"x"}, {"y"}, {"x", "y"}])
    assert mes_plain(e) == []
    assert mes_add1(e) == []
    assert mes(e) == ["x"]  # the fill: x and y have 2 approvals each, x by id


def test_fractions_exact() -> None:
    # Costs 5/2 and 7/3, budget 5, 3 voters with shares 5/3 each.
    e = election({"p": Fraction(5, 2), "q": Fraction(7, 3)}, 5, [{"p", "q"}, {"p"}, {"q"}])
    # p: 5/4 each (rho 1/2); q: 7/6 each (rho 1/2): tie -> p. Left: 5/12, 0, 5/3.
    # q: 5/12 + 5/3 = 25/12 < 7/3 = 28/12: unaffordable.
    assert mes_plain(e) == ["p"]
    # Add1, step 1 (8/3 each): p -> 8/3 - 5/4 = 17/12 left; q: 17/12 + 8/3 = 49/12
    # >= 28/12, price 7/6 <= 17/12: funded. 5/2 + 7/3 = 29/6 <= 5; nothing left
    # to add: exhaustive.
    assert mes_add1(e) == ["p", "q"]


def test_weights_equal_repeated_ballots() -> None:
    costs = {"a": 30, "b": 20, "c": 25, "d": 10}
    ballots = [{"a", "b"}, {"c"}, {"b", "d"}, {"a", "c", "d"}]
    weights = [3, 1, 2, 4]
    weighted = election(costs, 60, ballots, weights=weights)
    repeated = election(costs, 60, [b for b, w in zip(ballots, weights, strict=True) for _ in range(w)])
    for rule in (greedy, greedy_variant, mes_plain, mes_add1, mes):
        assert rule(weighted) == rule(repeated), rule.__name__
    assert approval_counts(weighted) == {"a": 7, "b": 5, "c": 5, "d": 6}


def test_free_and_unapproved_projects() -> None:
    # MES with cost utilities ignores a free project (it gives no satisfaction)
    # and projects nobody approved; the greedy fill then picks them up.
    e = election({"free": 0, "a": 10, "nobody": 5}, 15, [{"free", "a"}, {"a"}])
    assert mes_plain(e) == ["a"]
    assert set(mes(e)) == {"a", "free", "nobody"}
    assert greedy(e) == ["a", "free", "nobody"]


def test_ballots_alike_but_for_a_free_project_are_one_class() -> None:
    # Distinct ballots are MES's classes, except where only an approved free project
    # (not a candidate) tells them apart: then they are merged, weights added.
    ballots = [{"free", "a", "b"}, {"a", "b"}, {"a"}, {"free"}, {"b", "a"}, {"a"}, {"a"}]
    e = election({"free": 0, "a": 30, "b": 70}, 100, ballots)
    data = mes_input(e)
    assert data.ids == ["a", "b"] and data.class_weight == [3, 3] and data.supporters == [[0, 1], [0]]
    assert data.single_supporters == [[0, 1, 0, 0, 1, 1], [0, 0, 0]] and data.approvals == [6, 3]
    frozen = [frozenset(b) for b in ballots]
    assert mes_add1(e) == naive_add1({"free": 0, "a": 30, "b": 70}, 100, frozen)
    assert mes_input(election({"a": 30, "b": 70}, 100, ballots[1:3])).class_weight == [1, 1]


def test_greedy_variant_threshold_and_no_skip() -> None:
    # approvals: a 5, b 4, c 3, d 1; costs 60, 50, 30, 10; budget 100
    ballots = [{"a", "b", "c", "d"}] + [{"a", "b", "c"}] * 2 + [{"a", "b"}] + [{"a"}]
    e = election({"a": 60, "b": 50, "c": 30, "d": 10}, 100, ballots)
    assert greedy(e) == ["a", "c", "d"]  # b (50) skipped
    assert greedy_variant(e) == ["a", "c", "d"]  # no META: plain greedy
    assert greedy_variant(e, threshold=2) == ["a", "c"]  # d has 1 approval
    assert greedy_variant(e, no_skip=True) == ["a"]  # stops at b
    e.meta.update(rule="greedy-no-skip", min_project_score_threshold="4")
    assert greedy_variant(e) == ["a"]
    e.meta.update(rule="greedy", min_project_score_threshold="None")
    assert greedy_variant(e) == ["a", "c", "d"]


# ---------------------------------------------------------------------------
# Against a naive transcription of pabutools' definition
# ---------------------------------------------------------------------------


def naive_mes(costs: dict[str, object], ballots: list[frozenset[str]], share: Fraction) -> list[str]:
    """Voter by voter, exact fractions, every project priced every round."""
    budgets = [Fraction(share)] * len(ballots)
    left = sorted(p for p in costs if Fraction(costs[p]) > 0 and any(p in b for b in ballots))
    funded: list[str] = []
    while True:
        best = None
        for p in left:  # in id order, so the first of equals wins the tie
            cost = Fraction(costs[p])
            backers = [i for i, b in enumerate(ballots) if p in b]
            if sum(budgets[i] for i in backers) < cost:
                continue
            paid, rich = Fraction(0), len(backers)
            for b in sorted(budgets[i] for i in backers):
                price = (cost - paid) / rich
                if price <= b:
                    break
                paid, rich = paid + b, rich - 1
            if best is None or price / cost < best[0]:
                best = (price / cost, p, price, backers)
        if best is None:
            return funded
        _, p, price, backers = best
        for i in backers:
            budgets[i] -= min(budgets[i], price)
        funded.append(p)
        left.remove(p)


def naive_add1(costs: dict[str, object], budget: object, ballots: list[frozenset[str]]) -> list[str]:
    if not ballots:
        return []
    cands = [p for p in costs if Fraction(costs[p]) > 0 and any(p in b for b in ballots)]
    previous: list[str] = []
    step = 0
    while True:
        funded = naive_mes(costs, ballots, Fraction(budget) / len(ballots) + step)
        spent = sum(Fraction(costs[p]) for p in funded)
        if spent > budget:
            return previous
        if all(spent + Fraction(costs[p]) > budget for p in cands if p not in funded):
            return funded
        previous, step = funded, step + 1


def random_election(rng: random.Random) -> tuple[dict[str, object], object, list[frozenset[str]]]:
    ids = rng.sample(["1", "2", "9", "10", "11", "a", "b", "B", "20", "100"], rng.randint(2, 7))
    pool = rng.choice([[10], [10, 20, 30], [5, 7, 11, 13, 50], [Fraction(1, 3), Fraction(5, 2), 4]])
    costs: dict[str, object] = {p: rng.choice(pool) for p in ids}
    density = rng.choice([0.2, 0.5, 0.8])
    ballots = [frozenset(p for p in ids if rng.random() < density) for _ in range(rng.randint(1, 20))]
    ballots += [ballots[0]] * rng.randint(0, 4)
    budget = rng.choice([sum(Fraction(c) for c in costs.values()) * Fraction(k, 6) for k in (1, 2, 3, 4, 6, 9)])
    return costs, budget, ballots


def test_mes_matches_naive_definition_on_random_elections() -> None:
    rng = random.Random(20240611)
    for _ in range(300):
        costs, budget, ballots = random_election(rng)
        e = election(costs, budget, ballots)
        context = (costs, budget, [sorted(b) for b in ballots])
        assert mes_plain(e) == naive_mes(costs, ballots, Fraction(budget) / len(ballots)), context
        assert mes_add1(e) == naive_add1(costs, budget, ballots), context


def test_mes_matches_naive_definition_with_many_add1_steps() -> None:
    # Larger electorates and small budgets make Add1 climb through many steps,
    # which the implementation skips over in certified stretches.
    rng = random.Random(7)
    for _ in range(25):
        ids = sorted({str(rng.randint(1, 300)) for _ in range(rng.randint(3, 10))})
        costs: dict[str, object] = {p: rng.choice([100, 250, 300, 777, 1234]) for p in ids}
        popularity = {p: rng.random() for p in ids}
        ballots = [frozenset(p for p in ids if rng.random() < popularity[p] * 0.6) for _ in range(rng.randint(20, 80))]
        budget = rng.randint(200, max(300, sum(costs.values()) // 2))  # type: ignore[call-overload]
        e = election(costs, budget, ballots)
        assert mes_add1(e) == naive_add1(costs, budget, ballots), (costs, budget)


@st.composite
def add1_elections(draw: st.DrawFn) -> tuple[dict[str, object], int, list[frozenset[str]]]:
    """Small elections whose Add1 climbs through tens to hundreds of steps: few
    voters, costs far above the starting shares, ids that sort differently as
    strings and as numbers, repeated ballots and equal costs for exact ties."""
    ids = draw(
        st.lists(st.sampled_from(["1", "2", "9", "10", "11", "a", "B", "100"]), min_size=2, max_size=6, unique=True)
    )
    costs: dict[str, object] = {p: draw(st.sampled_from([30, 60, 90, 120, 251, 600])) for p in ids}
    ballot = st.frozensets(st.sampled_from(ids), max_size=len(ids))
    ballots = draw(st.lists(ballot, min_size=1, max_size=24))
    ballots += [ballots[0]] * draw(st.integers(0, 4))
    budget = draw(st.integers(1, sum(costs.values())))  # type: ignore[arg-type]
    return costs, budget, ballots


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(add1_elections(), st.sampled_from([None, 8, 1]))
def test_fast_add1_equals_step_by_step_definition(case, bits: int | None) -> None:
    """The certified windows of Add1 steps give, step for step, what running MES at
    every budget B/n + 1, + 2, ... and stopping as pabutools does gives: with the
    fixed point each window picks, and with fixed points far coarser than any it
    picks (2**8 and 2 units per currency unit), whose looser bounds split windows
    more often."""
    costs, budget, ballots = case
    most, least = (engine._FIXED_POINT_MOST, engine._FIXED_POINT_LEAST) if bits is None else (bits, bits)
    with mock.patch.object(engine, "_FIXED_POINT_MOST", most), mock.patch.object(engine, "_FIXED_POINT_LEAST", least):
        assert mes_add1(election(costs, budget, ballots)) == naive_add1(costs, budget, ballots)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(add1_elections(), st.integers(0, 40), st.sampled_from([None, 8]))
def test_a_window_of_one_step_in_fixed_point_is_the_definition(case, step: int, bits: int | None) -> None:
    """A window of one Add1 step in fixed point with bounds (how elections of 1,024
    ballot classes and more start Add1 and run plain MES) funds, round by round
    until it ends or leaves a tie to exact integers, what MES at that step by the
    definition funds, and what _one_step funds."""
    costs, budget, ballots = case
    data = mes_input(election(costs, budget, ballots))
    run = engine._Run(data, engine._window(data, step, step, unit=None if bits is None else 1 << bits))
    while (settled := run.next_round()) is True:
        pass
    share = Fraction(budget) / len(ballots) + step
    exact = naive_mes(costs, ballots, share)
    assert [data.ids[p] for p in engine._exact_step(data, step)] == exact
    if settled is False:
        assert [data.ids[p] for p in run.funded] == exact
    else:  # a round rounding could not settle: its projects so far are the definition's first
        assert [data.ids[p] for p in run.funded] == exact[: len(run.funded)]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    add1_elections(),
    st.lists(st.sampled_from([1, 1, 2, 17, 40]), min_size=28, max_size=28),  # ballots: at most 24 + 4
    st.sampled_from([1, 3, 7]),
    st.integers(0, 60),
)
def test_one_step_in_exact_integers_is_the_definition(case, weights: list[int], divide: int, step: int) -> None:
    """MES at one Add1 step in whole numbers over a common denominator (_one_step,
    also every step that rounding cannot settle) funds what the voter-by-voter
    definition in fractions funds, in the same order: with classes of one voter,
    of a few and of many (counted once with their weight), costs and budgets in
    fractions, and exact ties broken by id."""
    costs, budget, ballots = case
    costs = {p: Fraction(c, divide) for p, c in costs.items()}
    weights = weights[: len(ballots)]
    e = election(costs, Fraction(budget, divide), ballots, weights=weights)
    data = mes_input(e)
    found = engine._one_step(data, step)
    voters = [b for b, w in zip(ballots, weights, strict=True) for _ in range(w)]
    share = Fraction(budget, divide) / len(voters) + step * 1
    assert [data.ids[p] for p in found.funded] == naive_mes(costs, voters, share)
    assert engine._exact_step(data, step) == found.funded


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    add1_elections(),
    st.sampled_from([1, 2, 4]),
    st.sampled_from([1, 4]),
    st.sampled_from([0, 2, 1e9]),
    st.randoms(use_true_random=False),
)
def test_add1_switching_between_windows_and_single_steps_equals_the_definition(
    case, span: int, stretch: int, cap: float, clock: random.Random
) -> None:
    """Add1 moves between certified windows and steps one by one (in batches of
    lanes) by the CPU each took. With a clock on which window rounds and steps cost
    random amounts, and comparisons from windows of 1-4 steps on, every way of
    switching (steps one by one winning, losing, winning again after a window, a
    window left half-way when it costs more than steps one by one would, steps one
    by one not tried again while far dearer) gives the step-by-step outcome."""
    costs, budget, ballots = case
    now = [0.0]
    step_costs = clock.choice([[0.01], [0.01, 1.0], [1.0], [0.01, 100.0], [100.0]])
    steps, next_round = engine._steps, engine._Run.next_round

    def timed_steps(data, lanes, first, count):  # type: ignore[no-untyped-def]
        now[0] += sum(clock.choice(step_costs) for _ in range(count))
        return steps(data, lanes, first, count)

    def timed_round(run):  # type: ignore[no-untyped-def]
        now[0] += 1.0
        return next_round(run)

    with (
        mock.patch.object(engine, "thread_time", lambda: now[0]),
        mock.patch.object(engine, "_steps", timed_steps),
        mock.patch.object(engine._Run, "next_round", timed_round),
        mock.patch.object(engine, "_SPAN_TO_COMPARE", span),
        mock.patch.object(engine, "_STRETCH", stretch),
        mock.patch.object(engine, "_WINDOW_CAP", cap),
    ):
        funded = mes_add1(election(costs, budget, ballots))
    assert funded == naive_add1(costs, budget, ballots)


def test_agrees_with_pabutools_on_random_elections() -> None:
    pabu = pytest.importorskip("pabutools")
    from pabutools.election import ApprovalBallot, ApprovalProfile, Cost_Sat, Instance
    from pabutools.election import Project as PabuProject
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    assert pabu is not None
    rng = random.Random(99)
    for _ in range(40):
        costs, budget, ballots = random_election(rng)
        instance = Instance(budget_limit=Fraction(budget))
        projects = {p: PabuProject(p, Fraction(c)) for p, c in costs.items()}
        for project in projects.values():
            instance.add(project)
        profile = ApprovalProfile([ApprovalBallot([projects[p] for p in b]) for b in ballots])
        e = election(costs, budget, ballots)

        def names(allocation: list) -> list[str]:
            return [p.name for p in allocation]

        assert mes_add1(e) == names(
            method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)
        )
        assert mes_plain(e) == names(method_of_equal_shares(instance, profile, sat_class=Cost_Sat))
        assert set(greedy(e)) == set(names(greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)))


# ---------------------------------------------------------------------------
# Pabulib files
# ---------------------------------------------------------------------------

PB = (
    "META\r\n"
    "key;value\r\n"
    "description;Test\r\n"
    "budget;10000.0\r\n"
    "vote_type;approval\r\n"
    "rule;greedy\r\n"
    "PROJECTS\n"  # a switch to LF mid-file, as in one real file
    "project_id;cost;votes;name;category;selected\n"
    '10;4000.0;2;"Park; phase 2";green,sport;1\r\n'
    '9;4000,5;2;"He said ""hi""";None;0\n'
    "2023/X/01;2500;1;None;;0\r\n"
    "VOTES\r\n"
    "voter_id;vote;age\r\n"
    "v1;10,9;None\r\n"
    "v2;10,2023/X/01,9;33\n"
    "v3;;\r\n"
    "v4;None;40\r\n"
)


def test_parse_pb_handles_line_ends_quotes_floats_and_none() -> None:
    e = parse_pb(PB)
    assert list(e.projects) == ["10", "9", "2023/X/01"]
    assert e.budget == 10000 and isinstance(e.budget, int)
    assert e.projects["10"].cost == 4000 and isinstance(e.projects["10"].cost, int)
    assert e.projects["9"].cost == Fraction(8001, 2)  # decimal comma
    assert e.projects["10"].name == "Park; phase 2"
    assert e.projects["9"].name == 'He said "hi"'
    assert e.projects["2023/X/01"].name == ""
    assert e.projects["10"].extra == {"votes": "2", "category": "green,sport", "selected": "1"}
    assert "category" not in e.projects["9"].extra  # None is missing
    assert e.ballots == [
        frozenset({"10", "9"}),
        frozenset({"10", "2023/X/01", "9"}),
        frozenset(),
        frozenset(),
    ]
    assert e.voter_ids == ["v1", "v2", "v3", "v4"]
    assert e.meta["rule"] == "greedy"
    assert greedy(e) == ["10", "9"]  # ids as strings: '10' < '9'


def test_parse_pb_reads_a_path_and_strips_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "x.pb"
    path.write_text("\ufeff" + PB.replace("\r\n", "\n"), encoding="utf-8")
    assert parse_pb(path).ballots == parse_pb(str(path)).ballots == parse_pb(PB).ballots


def test_parse_pb_rejects_unknown_projects_and_other_vote_types() -> None:
    with pytest.raises(ValueError, match="unknown"):
        parse_pb(PB.replace("v1;10,9;None", "v1;10,77;None"))
    with pytest.raises(ValueError, match="approval"):
        parse_pb(PB.replace("vote_type;approval", "vote_type;ordinal"))


def test_write_pb_round_trips() -> None:
    original = parse_pb(PB)
    text = write_pb(original)
    again = parse_pb(text)
    assert again.projects == original.projects
    assert again.budget == original.budget
    assert again.ballots == original.ballots
    assert again.voter_ids == original.voter_ids
    assert again.meta["num_votes"] == "4" and again.meta["num_projects"] == "3"
    assert again.meta["budget"] == "10000"
    assert '"Park; phase 2"' in text
    assert "9;8001/2;" not in text and "9;4000.5;" in text


def test_write_pb_exports_a_round() -> None:
    e = Election(
        {"x1": Project("x1", 300, "修路"), "x2": Project("x2", Fraction(1, 3), "a;b")},
        Fraction(1001, 2),
        [frozenset({"x1"}), frozenset({"x1", "x2"})],
        {"description": "第一轮", "rule": "equalshares/add1"},
        weights=[2, 1],
    )
    back = parse_pb(write_pb(e))
    assert back.budget == Fraction(1001, 2)
    assert back.projects["x2"].cost == Fraction(1, 3)  # written as 1/3, no decimal exists
    assert back.projects["x1"].name == "修路"
    assert back.ballots == [frozenset({"x1"})] * 2 + [frozenset({"x1", "x2"})]
    assert back.meta["description"] == "第一轮"
    assert mes(back) == mes(e)


def mes_input(e: Election):  # type: ignore[no-untyped-def]
    tally = engine._tally(e)
    return engine._mes_input(e, tally, engine._candidates(e, tally.counts))


@pytest.mark.parametrize("dead_from", [None, 0])
def test_lanes_equal_exact_steps_and_the_definition(dead_from: int | None) -> None:
    """Batches of consecutive Add1 steps in floats, one lane each (certified at every
    decision, None where a lane cannot be), against the same steps in exact integers and
    against the naive definition; most steps must be certified, or the floats do
    nothing. Also with classes that are surely broke in every lane dropped from the
    batch's lists however few supporters projects have (large elections only, else)."""
    rng = random.Random(11)
    runs = certified = 0
    lanes_module = importlib.import_module("yishi.ballots.rules.mes_lanes")
    count_broke, shrunk = lanes_module._Batch._count_broke, []

    def counted(batch, lanes, went):  # type: ignore[no-untyped-def]
        count_broke(batch, lanes, went)
        shrunk.append(bool((batch.sizes < batch.lanes.sizes).any()))

    dropping = (
        mock.patch.object(lanes_module, "_DEAD_FROM", dead_from)
        if dead_from is not None
        else contextlib.nullcontext()
    )
    with dropping, mock.patch.object(lanes_module._Batch, "_count_broke", counted):
        runs, certified = _lanes_against_exact_steps(rng)
    assert certified >= 0.9 * runs, (certified, runs)
    if dead_from is not None:
        assert any(shrunk)  # some batch did drop dead classes from its lists


def _lanes_against_exact_steps(rng: random.Random) -> tuple[int, int]:
    runs = certified = 0
    for _ in range(120):
        costs, budget, ballots = random_election(rng)
        if rng.random() < 0.5:  # larger electorates: many ballot classes, many steps
            ballots = [b for b in ballots for _ in range(rng.randint(1, 30))]
        e = election(costs, budget, ballots)
        data = mes_input(e)
        if len(data.ids) < 2:
            continue
        lanes = lanes_for(data)
        assert lanes is not None
        first = rng.choice([0, rng.randint(1, 40), rng.randint(41, 400)])
        count = rng.choice([1, 3, 17, 64])
        for i, fast in enumerate(lanes.run(first, count)):
            step = first + i
            exact = engine._exact_step(data, step)
            if i in (0, count - 1):
                share = Fraction(budget) / len(ballots) + step
                assert [data.ids[p] for p in exact] == naive_mes(costs, ballots, share), (costs, budget, step)
            runs += 1
            if fast is not None:
                certified += 1
                assert fast == exact, (costs, budget, step)
    return runs, certified


def _exact_price(budgets: list[Fraction], weights: list[int], cost: Fraction) -> Fraction | None:
    """The q with sum w min(b, q) = cost, None if the budgets fall short."""
    if sum(w * b for w, b in zip(weights, budgets, strict=True)) < cost:
        return None
    paid, rich = Fraction(0), sum(weights)
    for b, w in sorted(zip(budgets, weights, strict=True)):
        if (cost - paid) / rich <= b:
            break
        paid, rich = paid + w * b, rich - w
    return (cost - paid) / rich


def test_lane_pricing_from_any_guess_is_the_exact_price() -> None:
    """A lane's pricing against exact prices from exact budgets anywhere within the float
    budgets' error bounds, from guesses below every price (newcomers join the poor: their
    terms are added to the sums) and above (all start poor and most leave: the sums are
    made again), with broke classes (budget and error 0) among the rest: each price within
    its error bound, exact where flagged so, out of reach exactly where the budgets fall
    short."""
    import numpy as np

    lanes_module = importlib.import_module("yishi.ballots.rules.mes_lanes")
    rng = random.Random(5)
    checked = 0
    for _ in range(60):
        costs, budget, ballots = random_election(rng)
        ballots = [b for b in ballots for _ in range(rng.randint(1, 6))]
        data = mes_input(election(costs, budget, ballots))
        if len(data.ids) < 2:
            continue
        lanes = lanes_for(data)
        assert lanes is not None
        count, size, classes = 4, len(data.costs), len(data.class_weight)
        batch = lanes_module._Batch(lanes, 0, count)
        top = max(data.costs)
        choices = [0.0, top, top / 8]
        budgets = np.array([rng.choice(choices) * rng.random() for _ in range(classes * count)])
        # Error bounds from tiny to a third of the budget, the exact budget anywhere within
        # them (at either end too): 0 with error 0 is broke.
        errors = budgets * np.array([rng.choice([2.0**-52, 2.0**-20, 1 / 3]) for _ in budgets])
        exact_budgets = [Fraction(float(b)) + Fraction(float(e)) * rng.choice([-1, 0, 1, Fraction(rng.random())])
                         for b, e in zip(budgets, errors, strict=True)]
        batch.money = budgets + 1j * errors
        batch.price[:] = np.array([rng.choice([0.0, 1e300]) for _ in range(count * size)]).reshape(count, size)
        pairs = [(lane, p) for lane in range(count) for p in range(size)]
        batch._reprice(np.array([lane for lane, _ in pairs]), np.array([p for _, p in pairs]))
        for lane, p in pairs:
            if batch.unsure[lane]:
                continue
            backers = data.supporters[p]
            exact = _exact_price([exact_budgets[c * count + lane] for c in backers],
                                 [data.class_weight[c] for c in backers], Fraction(data.costs[p]))
            key = batch.key[lane, p]
            if key == float("inf"):
                assert exact is None, (costs, budget, lane, p)
                continue
            assert exact is not None
            assert abs(Fraction(float(batch.price[lane, p])) - exact) <= Fraction(float(batch.price_err[lane, p]))
            ratio = exact / data.costs[p]
            if batch.exact[lane, p]:
                assert ratio == Fraction(1, round(1 / key)) and Fraction(1.0 / round(1 / key)) == Fraction(key)
            else:
                assert abs(Fraction(float(key)) - ratio) <= Fraction(float(batch.key_err[lane, p]))
            checked += 1
    assert checked >= 200, checked


def test_lane_pricing_whose_price_outruns_its_first_rise() -> None:
    """Sweeps after the first look only at those below the price plus its first rise,
    while no price passes that cap. Here it does: from the floor 0.9 (cost 9.9, eleven
    supporters), the first sweep takes in 0.1 and eight at 0.95 (price 0.98, cap 1.06),
    the next gives 1.1, past 1.08, whom a sweep that kept to the cap would miss (the
    price is 1.12)."""
    import numpy as np

    lanes_module = importlib.import_module("yishi.ballots.rules.mes_lanes")
    ballots = [frozenset({"a", str(i)}) for i in range(11)]  # eleven classes of one voter
    data = mes_input(election({"a": 99, **{str(i): 10**6 for i in range(11)}}, 100, ballots))
    lanes = lanes_for(data)
    assert lanes is not None
    batch = lanes_module._Batch(lanes, 0, 1)
    p = data.ids.index("a")
    unit = data.costs[p] / 9.9
    shares = [0.1, *[0.95] * 8, 1.08, 5.0]
    for c, share in zip(data.supporters[p], shares, strict=True):
        batch.money[c] = share * unit + 1j * 2.0**-52 * share * unit
    batch.price[0, p] = 0.0
    batch._reprice(np.array([0]), np.array([p]))
    exact = _exact_price([Fraction(float(share * unit)) for share in shares], [1] * 11, Fraction(data.costs[p]))
    assert exact is not None and abs(exact / unit - Fraction(112, 100)) < Fraction(1, 10**6)
    assert not batch.unsure[0]
    assert abs(Fraction(float(batch.price[0, p])) - exact) <= Fraction(float(batch.price_err[0, p]))


def test_lane_payments_charge_the_payers_alone() -> None:
    """A round's payments (several lanes paying one winner, lanes between them paying
    another or nothing) against the rule per class and lane: max(0, b - q) with its
    error, or exactly 0 where the class surely pays all it has; everyone else's money
    untouched to the bit, and the classes gone broke counted per class."""
    import numpy as np

    lanes_module = importlib.import_module("yishi.ballots.rules.mes_lanes")
    rng = random.Random(8)
    payments = 0
    for _ in range(40):
        costs, budget, ballots = random_election(rng)
        data = mes_input(election(costs, budget, ballots * rng.randint(1, 4)))
        if len(data.ids) < 2:
            continue
        lanes = lanes_for(data)
        assert lanes is not None
        lanes.dead_counted = True
        count, size, classes = 7, len(data.costs), len(data.class_weight)
        batch = lanes_module._Batch(lanes, 0, count)
        top = max(data.costs)
        budgets = np.array([rng.choice([0.0, rng.random() * top]) for _ in range(classes * count)])
        batch.money = budgets + 1j * budgets * np.array([rng.choice([0.0, 2.0**-40, 0.1]) for _ in budgets])
        before = batch.money.copy()
        batch.price[:] = np.array([rng.random() * top for _ in range(count * size)]).reshape(count, size)
        batch.price_err[:] = batch.price * rng.choice([0.0, 2.0**-40, 0.05])
        paying = sorted(rng.sample(range(count), rng.randint(1, count)))
        winners = [rng.choice([0, 1]) for _ in paying]
        with mock.patch.object(lanes_module._Batch, "_count_broke"):  # the counts _pay leaves
            batch._pay(np.array(paying), np.array(winners))
        went = [0] * classes
        for lane in range(count):
            winner = winners[paying.index(lane)] if lane in paying else None
            for c in range(classes):
                b, e = before[c * count + lane].real, before[c * count + lane].imag
                after = batch.money[c * count + lane]
                if winner is None or c not in data.supporters[winner]:
                    assert after == before[c * count + lane]
                    continue
                q, q_err = batch.price[lane, winner], batch.price_err[lane, winner]
                if b + e >= q - q_err and e > 0:
                    assert after == max(b - q, 0.0) + 1j * (e + q_err + 2.0**-52 * b)
                else:
                    assert after == 0
                    went[c] += e > 0
                payments += 1
        assert batch.broke.tolist() == went
    assert payments >= 300, payments


def test_a_small_tally_does_not_load_numpy() -> None:
    """`yishi tally` starts in well under the time it computes: an election whose Add1
    climbs 1,800 steps in windows in a millisecond never loads numpy (0.1-0.3 s to
    import), which only the lanes of long runs need; let in at once, they would."""
    script = (
        "import importlib, sys\n"
        "from yishi.ballots.rules import Election, mes\n"
        "engine = importlib.import_module('yishi.ballots.rules.mes')\n"
        "if sys.argv[1:]:\n"
        "    engine._LANES_AFTER = float(sys.argv[1])\n"
        "ballots = [frozenset('a'), frozenset('bc'), frozenset('c')]\n"
        "e = Election.from_costs({'a': 2900, 'b': 2800, 'c': 150}, 3000, ballots)\n"
        "print(mes(e), 'numpy' in sys.modules)\n"
    )
    for after, loaded in (([], "False"), (["0"], "True")):
        done = subprocess.run([sys.executable, "-c", script, *after], capture_output=True, text=True, check=True,
                              timeout=60)
        assert done.stdout.split()[-1] == loaded, done.stdout
        assert "['c', 'b']" in done.stdout


def test_lanes_are_not_used_where_floats_cannot_hold_the_numbers() -> None:
    """Costs from 2**50 on (in whole units) leave floats too few digits: windows and
    exact fractions alone, with the same outcome as the definition."""
    costs: dict[str, object] = {"a": 2**51, "b": 2**51 + 3, "c": 3 * 2**50}
    ballots = [frozenset({"a"}), frozenset({"a", "b"}), frozenset({"c"}), frozenset({"b", "c"})] * 3
    budget = 2**52
    assert lanes_for(mes_input(election(costs, budget, ballots))) is None
    assert mes_add1(election(costs, budget, ballots)) == naive_add1(costs, budget, ballots)
    # Nor 2**50 voters or more (weighted ballots): from 2**53 on 1/k is no longer exact, and two
    # ratios that differ would compare as a tie.
    many = election({"a": 2**20, "b": 2**20}, 2**21, [frozenset("ab"), frozenset("b")], weights=[2**53, 1])
    assert lanes_for(mes_input(many)) is None
    assert lanes_for(mes_input(election({"a": 2**20, "b": 2**20}, 2**21, [frozenset("ab"), frozenset("b")],
                                        weights=[2**49, 1]))) is not None


def test_lanes_batch_keeps_to_its_memory_cap() -> None:
    """A batch holds at most _CELLS lanes x ballot classes: with many classes, fewer lanes
    (down to one), and the same outcome."""
    rng = random.Random(3)
    costs, budget, ballots = random_election(rng)
    while len(mes_input(election(costs, budget, ballots)).ids) < 2:
        costs, budget, ballots = random_election(rng)
    data = mes_input(election(costs, budget, ballots))
    classes = len(data.class_weight)
    with mock.patch("yishi.ballots.rules.mes_lanes._CELLS", classes * 3):
        assert lanes_for(data).batch == 3  # type: ignore[union-attr]
    with mock.patch("yishi.ballots.rules.mes_lanes._CELLS", 1):
        lanes = lanes_for(data)
        assert lanes is not None and lanes.batch == 1
        funded = engine._add1_by_steps(data, lanes, 0, [])
    assert [data.ids[p] for p in funded] == naive_add1(costs, budget, ballots)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(add1_elections())
def test_add1_one_step_at_a_time_equals_step_by_step_definition(case) -> None:
    """The Add1 by steps one by one (batches of lanes) that takes over where windows do not pay."""
    costs, budget, ballots = case
    data = mes_input(election(costs, budget, ballots))
    if len(data.ids) < 2:
        return
    funded = engine._add1_by_steps(data, engine._lanes(data), 0, [])
    assert [data.ids[p] for p in funded] == naive_add1(costs, budget, ballots)


# ---------------------------------------------------------------------------
# Real elections from Pabulib, against expected.json
# ---------------------------------------------------------------------------


@pytest.mark.realdata
@pytest.mark.parametrize(
    "case",
    EXPECTED or [None],
    ids=[case["file"].removesuffix(".pb") for case in EXPECTED] or ["pabulib-data-missing"],
)
def test_real_election(case: dict | None) -> None:
    _need_data()
    assert case is not None
    path = DATA / case["file"]
    raw = path.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == case["sha256"], "data file differs from the one expected.json describes"
    e = parse_pb(path)
    assert len(e.ballots) == case["voters"]
    assert len(e.projects) == case["projects"]
    assert e.budget == case["budget"]

    assert set(greedy(e)) == set(case["greedy_selected"])
    variant = greedy_variant(e)
    assert set(variant) == set(case["greedy_rule_variant_selected"])
    assert variant == greedy_variant(
        e, threshold=case["greedy_rule_variant"]["threshold"], no_skip=case["greedy_rule_variant"]["no_skip"]
    )
    assert set(mes_plain(e)) == set(case["mes_plain_selected"])
    add1 = mes_add1(e)
    assert set(add1) == set(case["mes_add1_selected"])
    filled = fill_up(e, add1)
    assert set(filled) == set(case["mes_selected"])
    assert filled[: len(add1)] == add1
    assert e.cost_of(filled) <= e.budget
    # mes() is that same composition; run it where Add1 is cheap, to keep this quick.
    if case["voters"] * case["projects"] < 500_000:
        assert mes(e) == filled
    if case.get("official_selected") and case["official_rule"].startswith("greedy"):
        assert set(variant) == set(case["official_selected"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(add1_elections(), st.booleans())
def test_add1_with_bounds_cut_down_from_wider_windows_equals_the_definition(case, arrays: bool) -> None:
    """Where payments cannot be redone over a narrower window, its bounds are cut down
    from the wider one's, and may lie above the narrower window's top: the cut run
    keeps the wider window's top (_Run.top), under which every upper bound stays and
    for which int64 sums were checked. Forced everywhere, in lists and in arrays, Add1
    still gives the step-by-step outcome, and every run's upper bounds stay under its top."""
    costs, budget, ballots = case
    cut, run_pay = engine._Run._cut, engine._Run._pay
    cuts: list[bool] = []

    def cut_down(run, first, last):  # type: ignore[no-untyped-def]
        copy = cut(run, first, last)
        cuts.append(copy.top == run.top)
        return copy

    def pay(run, winner):  # type: ignore[no-untyped-def]
        run_pay(run, winner)
        assert max(map(int, run.hi0)) <= run.top and max(map(int, run.hi1)) <= run.top

    with (
        mock.patch.object(engine._Run, "_redo_payments", lambda _run, _wider: False),
        mock.patch.object(engine._Run, "_cut", cut_down),
        mock.patch.object(engine._Run, "_pay", pay),
        mock.patch.object(engine, "_ARRAYS_FROM", 0 if arrays else 10**9),
        mock.patch.object(engine, "_ARRAYS_AFTER", 0),
        mock.patch.object(engine, "_MACHINE_GROUPS", 1),
    ):
        funded = mes_add1(election(costs, budget, ballots))
    assert funded == naive_add1(costs, budget, ballots)
    assert all(cuts)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(add1_elections(), st.sampled_from([0, 1, 4, 1000]), st.booleans())
def test_add1_passing_over_windows_that_cannot_stop_equals_the_definition(case, paths: int, arrays: bool) -> None:
    """Windows whose rounds cannot all be certified are passed over as a whole where no
    path the run may take ends over the budget or exhaustive (their outcomes unknown;
    the one before a stop is then computed alone). With every window of 2 steps and
    more tried so, more or fewer paths followed, and budget groups counted in lists
    or (as in large elections) in numpy arrays, Add1 still gives the step-by-step
    outcome."""
    costs, budget, ballots = case
    with (
        mock.patch.object(engine._Skim, "tries", lambda _skim, first, last: last > first),
        mock.patch.object(engine, "_SKIM_PATHS", paths),
        mock.patch.object(engine, "_ARRAYS_FROM", 0 if arrays else 10**9),
        mock.patch.object(engine, "_ARRAYS_AFTER", 0),
        mock.patch.object(engine, "_MACHINE_GROUPS", 1),
    ):
        funded = mes_add1(election(costs, budget, ballots))
    assert funded == naive_add1(costs, budget, ballots)


@pytest.mark.parametrize("arrays", [False, True])
def test_add1_passes_over_windows_and_computes_the_outcome_before_a_stop_alone(arrays: bool) -> None:
    """Elections whose Add1 climbs through many steps: with every window tried, some
    are passed over, and at least once the step before the stop lies in one, so its
    outcome is computed alone; paths that met again were followed as one; every
    result is still the step-by-step one (budget groups counted in lists, or in
    numpy arrays as in large elections)."""
    rng = random.Random(2)
    passed, alone, joined = [], [], []
    never_stops, before, join = engine._never_stops, engine._outcome_before, engine._Run.joined

    def joins(run, other):  # type: ignore[no-untyped-def]
        joined.append(run.funded)
        return join(run, other)

    def tried(run, rounds):  # type: ignore[no-untyped-def]
        passed.append(never_stops(run, rounds))
        return passed[-1]

    def outcome_before(data, step, previous):  # type: ignore[no-untyped-def]
        alone.append(previous is None)
        return before(data, step, previous)

    with (
        mock.patch.object(engine._Skim, "tries", lambda _skim, first, last: last > first),
        mock.patch.object(engine, "_never_stops", tried),
        mock.patch.object(engine, "_outcome_before", outcome_before),
        mock.patch.object(engine._Run, "joined", joins),
        mock.patch.object(engine, "_ARRAYS_FROM", 0 if arrays else 10**9),
        mock.patch.object(engine, "_ARRAYS_AFTER", 0),
        mock.patch.object(engine, "_MACHINE_GROUPS", 1),
    ):
        for _ in range(60):
            ids = sorted({str(rng.randint(1, 300)) for _ in range(rng.randint(3, 10))})
            costs: dict[str, object] = {p: rng.choice([100, 250, 300, 777, 1234]) for p in ids}
            popularity = {p: rng.random() for p in ids}
            ballots = [
                frozenset(p for p in ids if rng.random() < popularity[p] * 0.6) for _ in range(rng.randint(20, 80))
            ]
            budget = rng.randint(200, max(300, sum(costs.values()) // 2))  # type: ignore[call-overload]
            assert mes_add1(election(costs, budget, ballots)) == naive_add1(costs, budget, ballots), (costs, budget)
    assert any(passed) and not all(passed)
    assert any(alone)
    assert joined  # paths that funded the same projects in another order were followed as one


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([-5, 0, 7, 7, 100]) | st.integers(-(2**40), 2**40), st.integers(1, 9)),
        min_size=1,
        max_size=40,
    ),
    st.booleans(),
    st.integers(0, 3),
    st.integers(1, 2**42),
    st.sets(st.integers(0, 79)),
)
def test_poor_groups_and_price_are_the_definition(groups, wide: bool, extra: int, cost: int, guess: set[int]) -> None:
    """_poor, in order of budgets (no guess, or a guess over few groups) or by passes
    from a guess (any guess: its price is at most the true one): None where the
    groups hold less than the cost, else the price q = (cost - what P pays) /
    (voters not in P) with P exactly the groups below q."""
    if wide:  # enough groups for passes from a guess
        groups = groups * (1 + engine._POOR_PASSES_FROM // len(groups))
    values = [v for v, _ in groups]
    voters = [n for _, n in groups]
    total = sum(voters) + extra
    for start in (None, sorted(g for g in guess if g < len(groups))):
        found = engine._poor(values, voters, total, cost, start)
        if sum(v * n for v, n in zip(values, voters, strict=True)) < cost:
            assert found is None
            continue
        assert found is not None
        poor, (num, den) = found
        assert num == cost - sum(values[i] * voters[i] for i in poor) and den == total - sum(voters[i] for i in poor)
        assert den > 0 and poor == [i for i, v in enumerate(values) if v < Fraction(num) / den]


@st.composite
def priced_groups(draw: st.DrawFn) -> tuple[object, int, object]:
    """A project's budget groups over a window (bounds at both ends, lower below
    upper, many of them equal or broke), its cost, and the window, in a fixed
    point whose sums stay below 2**62."""
    size = draw(st.integers(1, 40))
    top = draw(st.sampled_from([10, 1000, 2**40]))
    bound = st.integers(0, top)
    lo0 = draw(st.lists(st.sampled_from([0, top // 3, top // 2]) | bound, min_size=size, max_size=size))
    lo1 = [min(top, x + draw(st.integers(0, top // 4))) for x in lo0]
    hi0 = [x + draw(st.integers(0, 2)) for x in lo0]
    hi1 = [max(x, y) + draw(st.integers(0, 2)) for x, y in zip(lo1, hi0, strict=True)]
    voters = draw(st.lists(st.integers(1, 50), min_size=size, max_size=size))
    total = sum(voters)  # a project's supporters are all in its groups
    cost = draw(st.integers(1, max(1, sum(h * v for h, v in zip(hi1, voters, strict=True)) * 2)))
    first = draw(st.integers(0, 3))
    last = first + draw(st.sampled_from([0, 1, 7]))
    same = draw(st.booleans())
    groups = engine._Groups(lo0, lo0 if same else lo1, hi0, hi0 if same else hi1, voters, total)
    ends = (top, top) if same else (top, top + 1)
    window = engine._Window(ends, ends, 1, first, last, True)
    return groups, cost, window


@settings(max_examples=400, deadline=None)
@given(priced_groups())
def test_prices_in_numpy_equal_prices_in_python_ints(case) -> None:
    """Large elections price a project over many budget groups in numpy int64 (where
    the window's sums fit): the same poor sets and the same bounds, ratio for ratio,
    as in Python ints."""
    groups, cost, window = case
    in_python = engine._price_bounds(groups, cost, dataclasses.replace(window, machine=False))
    assert engine._price_bounds_np(groups, cost, window) == in_python
    with mock.patch.object(engine, "_MACHINE_GROUPS", 1):
        assert engine._price_bounds(groups, cost, window) == in_python


@settings(max_examples=400, deadline=None)
@given(priced_groups(), st.integers(-3, 3))
def test_budgets_after_paying_are_the_same_in_numpy_and_stay_below_the_windows_top(case, shift: int) -> None:
    """Large elections keep their budget groups in int64 arrays: a payment leaves the
    same bounds there as in Python ints, and no upper bound passes the window's
    largest starting budget, even where the lower price bound lies below 0 at an
    end (shifted down here), which would lift max(0, b - q)'s chord over it."""
    np = pytest.importorskip("numpy")
    groups, cost, window = case
    top = window.hi[1]
    groups = groups._replace(hi0=[min(h, top) for h in groups.hi0], hi1=[min(h, top) for h in groups.hi1])
    price = engine._price_bounds(groups, cost, dataclasses.replace(window, machine=False))
    if price is None:
        return
    (a, m), (b, n) = price.lo
    price = price._replace(lo=((a - shift * top * m, m), (b + shift * top * n, n)))
    in_python = engine._left_after(groups, price, top)
    arrays = engine._Groups(*(np.array(x, dtype=np.int64) for x in groups[:5]), groups.total)
    in_numpy = engine._left_after_np(arrays, price, top)
    assert [x.tolist() for x in in_numpy] == [list(x) for x in in_python]
    assert max(in_python[2]) <= top and max(in_python[3]) <= top
    if price.hi is not None:  # the same without an upper price: lower bounds 0
        assert engine._left_after(groups, price._replace(hi=None), top)[:2] == ([0] * len(groups.lo0),) * 2


def test_a_negative_price_floor_keeps_the_upper_budgets_it_would_lift_over_the_top() -> None:
    """A floor below 0 at one end of the window would raise its payers' upper budgets
    there (b - q > b): where that passes the window's top, their upper bounds stay
    as they were, an upper bound too, as prices are positive."""
    groups = engine._Groups([40, 100], [40, 100], [50, 100], [60, 100], [1, 1], 2)
    floor_below_zero = engine._Bounds(((-30, 1), (20, 1)), None)
    assert engine._left_after(groups, floor_below_zero, 100)[2:] == ([50, 100], [60, 100])
    # Where the lifted chord stays under the top, it is kept: the tighter bound at the other end.
    lower = groups._replace(hi0=[50, 60])
    assert engine._left_after(lower, floor_below_zero, 100)[2:] == ([80, 90], [40, 80])


def test_amounts_are_read_exactly_and_anything_else_is_refused() -> None:
    """Costs and budgets become ints, or Fractions where not whole: decimals and
    floats by their decimal text, a decimal comma as in some Pabulib files, numpy's
    integers as the integers they are; a boolean or an object is no amount."""
    import numpy as np

    assert as_exact(Decimal("12.5")) == Fraction(25, 2)
    assert as_exact(4000.1) == Fraction(40001, 10)
    assert as_exact("3,5") == Fraction(7, 2)
    assert as_exact(np.int64(7)) == 7 and type(as_exact(np.int64(7))) is int
    assert as_exact(Fraction(6, 2)) == 3 and type(as_exact(Fraction(6, 2))) is int
    for wrong in (True, object(), None):
        with pytest.raises(TypeError):
            as_exact(wrong)
