"""Time yishi.ballots.rules on the Pabulib test elections, next to pabutools.

    .venv/bin/python bench/bench_rules.py [--no-pabutools] [--pabutools-limit SECONDS] [--no-background]
                                          [--repeat N] [--no-files] [--no-synthetic]
                                          [--synthetic-timeout SECONDS] [--no-tally]

For each election: our parse, greedy and MES (+Add1 + greedy fill) CPU times, and
pabutools' greedy and MES (+Add1 + greedy fill) measured in the same run, with the
ratio (pabutools CPU / ours). The machine is shared, so each timing is the median of
--repeat runs (default 3), ours and pabutools' interleaved, and the load average is
printed before and after. Where pabutools' reference time in expected.json (greedy +
MES+Add1) is over --pabutools-limit seconds (default 5: Amsterdam's takes 10 s,
Bialoleka's, Toulouse's and Lodz's one to three minutes), it runs once, in a child
process started beside our runs of that file (its own CPU time, marked "bg");
with --no-background those show the reference seconds instead, marked "ref".
Every outcome is checked against expected.json (as sets).

Then synthetic elections shaped like the hard ones (200 projects, 5,000-30,000
voters, at most 3 or 15 approvals each, budgets of 10^6-10^9 in whole units, costs
of 10^3-10^7), timed beside pabutools run in a child process that is stopped after
--synthetic-timeout CPU seconds (ours too); where both finish, the outcomes are compared.

Then a tally of 1,000,000 synthetic approval ballots over 40 items.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import resource
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar

from yishi.ballots.rules import Election, approval_counts, greedy, mes, parse_pb, write_pb

DATA = Path(__file__).resolve().parents[1].parent / "shared/data/pabulib"
T = TypeVar("T")


def timed(fn: Callable[..., T], *args: Any, repeat: int = 1, **kwargs: Any) -> tuple[float, T]:
    """Median CPU time over ``repeat`` calls, and the last result.

    CPU time of this process, not wall time: both sides run single-threaded, and
    it keeps the comparison fair when other work shares the machine.
    """
    times = []
    for _ in range(repeat):
        start = time.process_time()
        result = fn(*args, **kwargs)
        times.append(time.process_time() - start)
    return statistics.median(times), result


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def repeats_for(seconds: float) -> int:
    # Tiny timings are noisy: repeat them until they add up to a few milliseconds.
    return 1 if seconds > 0.05 else min(200, max(3, int(0.05 / max(seconds, 1e-6))))


def again_if_quick(first: tuple[float, T], fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[float, T]:
    """A first timing, or where it was tiny, the median of enough calls to add up."""
    repeat = repeats_for(first[0])
    return first if repeat == 1 else timed(fn, *args, repeat=repeat, **kwargs)


def ours(path: Path) -> dict[str, Any]:
    t_parse, election = timed(parse_pb, path)
    t_greedy, funded_greedy = again_if_quick(timed(greedy, election), greedy, election)
    t_mes, funded_mes = again_if_quick(timed(mes, election), mes, election)
    return {
        "election": election,
        "parse": t_parse,
        "greedy": t_greedy,
        "mes": t_mes,
        "greedy_set": set(funded_greedy),
        "mes_set": set(funded_mes),
    }


def pabutools_times(path: Path, repeat_small: bool = True, greedy_too: bool = False) -> dict[str, Any]:
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import greedy_utilitarian_welfare, method_of_equal_shares

    def mes_add1_fill(instance: Any, profile: Any) -> Any:
        funded = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, voter_budget_increment=1)
        return greedy_utilitarian_welfare(
            instance, profile, sat_class=Cost_Sat, initial_budget_allocation=funded
        )

    t_parse, (instance, profile) = timed(parse_pabulib, str(path))
    if not repeat_small:
        t_mes, funded_mes = timed(mes_add1_fill, instance, profile)
        once = {"parse": t_parse, "mes": t_mes, "mes_set": {p.name for p in funded_mes}}
        if greedy_too:
            once["greedy"], funded_greedy = timed(greedy_utilitarian_welfare, instance, profile, sat_class=Cost_Sat)
            once["greedy_set"] = {p.name for p in funded_greedy}
        return once
    t_greedy, funded_greedy = again_if_quick(
        timed(greedy_utilitarian_welfare, instance, profile, sat_class=Cost_Sat),
        greedy_utilitarian_welfare,
        instance,
        profile,
        sat_class=Cost_Sat,
    )
    t_mes, funded_mes = again_if_quick(timed(mes_add1_fill, instance, profile), mes_add1_fill, instance, profile)
    return {
        "parse": t_parse,
        "greedy": t_greedy,
        "mes": t_mes,
        "greedy_set": {p.name for p in funded_greedy},
        "mes_set": {p.name for p in funded_mes},
    }


def fmt(seconds: float | None, marked: bool = False, mark: str = "ref") -> str:
    if seconds is None:
        return "-"
    if seconds < 0.001:
        text = f"{seconds * 1e6:.1f} µs"
    else:
        text = f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"
    return text + (f" {mark}" if marked else "")


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median times over interleaved runs; outcomes from the last (all must agree)."""
    merged = dict(runs[-1])
    for key in ("parse", "greedy", "mes"):
        if key in merged:
            merged[key] = statistics.median(run[key] for run in runs)
    merged["agree"] = all(
        run["mes_set"] == runs[0]["mes_set"] and run.get("greedy_set") == runs[0].get("greedy_set")
        for run in runs
    )
    return merged


def bench_elections(use_pabutools: bool, limit: float, repeat: int, background: bool) -> None:
    cases = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
    print(f"Pabulib files, medians of {repeat} interleaved runs; {load()}")
    header = (
        f"{'election':44} {'voters':>7} {'proj':>4} | {'parse':>10} {'greedy':>10} {'pabu greedy':>13} "
        f"{'x':>6} | {'MES+Add1+fill':>13} {'pabu MES':>13} {'x':>6} | ok"
    )
    print(header)
    print("-" * len(header))
    for case in sorted(cases, key=lambda c: c["voters"] * c["projects"]):
        path = DATA / case["file"]
        ref = case["reference_seconds"]
        slow = ref["pabutools_mes_add1"] + ref["pabutools_greedy"] > limit
        child = start_pabutools(path, greedy_too=True) if use_pabutools and slow and background else None
        mine_runs, pabu_runs = [], []
        for _ in range(repeat):
            mine_runs.append(ours(path))
            if use_pabutools and not slow:
                pabu_runs.append(pabutools_times(path))
        mine = median_of(mine_runs)
        pabu: dict[str, Any] | None = median_of(pabu_runs) if pabu_runs else None
        mark = "ref"
        if child is not None:
            pabu, mark = finish_child(*child, timeout=None), "bg"
        ok = (
            mine["agree"]
            and mine["greedy_set"] == set(case["greedy_selected"])
            and mine["mes_set"] == set(case["mes_selected"])
        )
        if pabu is not None:
            ok = ok and pabu["greedy_set"] == mine["greedy_set"] and pabu["mes_set"] == mine["mes_set"]
        p_greedy = pabu["greedy"] if pabu else ref["pabutools_greedy"]
        # The reference is MES+Add1 alone; the fill adds well under 1 % to it.
        p_mes = pabu["mes"] if pabu else ref["pabutools_mes_add1"]
        marked = pabu is None or mark == "bg"
        mark = "ref" if pabu is None else mark
        print(
            f"{case['file'].removesuffix('.pb')[:44]:44} {case['voters']:>7} {case['projects']:>4} | "
            f"{fmt(mine['parse']):>10} {fmt(mine['greedy']):>10} {fmt(p_greedy, marked, mark):>13} "
            f"{p_greedy / mine['greedy']:>5.0f}x | "
            f"{fmt(mine['mes']):>13} {fmt(p_mes, marked, mark):>13} {p_mes / mine['mes']:>5.0f}x | "
            f"{'yes' if ok else 'NO'}",
            flush=True,
        )
    print(
        '("bg": pabutools run once in a child process beside ours, its own CPU time; '
        '"ref": not run here, its time from expected.json reference_seconds)'
    )
    print(f"after the files: {load()}")


# (name, voters, most approvals per ballot, budget, cheapest and dearest cost)
SHAPES = [
    ("Toulouse-like: 8,000 voters, <=3, 8e6", 8_000, 3, 8 * 10**6, 10**3, 10**6),
    ("Budapest-like: 30,000 voters, <=3, 1e9", 30_000, 3, 10**9, 10**6, 10**8),
    ("5,000 voters, <=15, 1e6", 5_000, 15, 10**6, 10**3, 10**5),
    ("15,000 voters, <=15, 1e8", 15_000, 15, 10**8, 10**4, 10**7),
    ("30,000 voters, <=3, 1e6", 30_000, 3, 10**6, 10**3, 10**5),
]


def synthetic_election(voters: int, most: int, budget: int, low: int, high: int, seed: int = 5) -> Election:
    """200 projects with log-uniform costs (together 2-5 budgets) and popularity falling off like 1/rank."""
    rng = random.Random(seed)
    ids = [str(k) for k in range(1, 201)]
    costs = {pid: int(math.exp(rng.uniform(math.log(low), math.log(high)))) for pid in ids}
    popularity = [1 / (k + 5) for k in range(len(ids))]
    rng.shuffle(popularity)
    ballots = [frozenset(rng.choices(ids, popularity, k=rng.randint(1, most))) for _ in range(voters)]
    return Election.from_costs(costs, budget, ballots)


def _pabutools_child(path: str, greedy_too: bool, out: Any) -> None:
    result = pabutools_times(Path(path), repeat_small=False, greedy_too=greedy_too)
    out.send({k: v for k, v in result.items() if k != "parse"})


def start_child(target: Callable[..., None], *args: Any, cpu_limit: float | None = None) -> tuple[Any, Any]:
    """Run ``target(*args, pipe)`` in a child process, stopped by the kernel after
    ``cpu_limit`` seconds of its own CPU (not wall time: the machine is shared)."""

    def limited(*inner: Any) -> None:
        if cpu_limit is not None:
            seconds = max(1, math.ceil(cpu_limit))
            resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
        target(*inner)

    receive, send = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=limited, args=(*args, send))
    child.start()
    send.close()  # the child's end only: its exit then ends the wait
    return child, receive


def start_pabutools(path: Path, greedy_too: bool = False, cpu_limit: float | None = None) -> tuple[Any, Any]:
    """pabutools' MES + Add1 + fill (and greedy) once, in a child process."""
    return start_child(_pabutools_child, str(path), greedy_too, cpu_limit=cpu_limit)


def finish_child(child: Any, receive: Any, timeout: float | None = None) -> dict[str, Any] | None:
    """The child's result; None when it was stopped (CPU limit) or runs past ``timeout``."""
    result = None
    try:
        if receive.poll(timeout):
            result = receive.recv()
    except EOFError:
        result = None
    if child.is_alive():
        child.kill()
    child.join()
    return result


def _ours_child(shape: tuple[Any, ...], out: Any) -> None:
    t_mes, funded = timed(mes, synthetic_election(*shape))
    out.send({"mes": t_mes, "mes_set": set(funded)})


def bench_synthetic(use_pabutools: bool, timeout: float) -> None:
    """Ours and pabutools each in a child process, side by side, each stopped after ``timeout`` CPU seconds."""
    print(f"\nSynthetic elections, 200 projects (each side stopped after {timeout:.0f} s of CPU); {load()}")
    header = f"  {'shape':40} {'ours':>10} {'pabutools':>12} {'x':>6} | same outcome"
    print(header)
    for name, *shape in SHAPES:
        election = synthetic_election(*shape)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "synthetic.pb"
            path.write_text(write_pb(election), encoding="utf-8")
            theirs_child = start_pabutools(path, cpu_limit=timeout) if use_pabutools else None
            mine = finish_child(*start_child(_ours_child, shape, cpu_limit=timeout))
            pabu = finish_child(*theirs_child) if theirs_child else None
        t_mes = mine["mes"] if mine else None
        ours_text = fmt(t_mes) if mine else f"> {timeout:.0f} s"
        if pabu is None:
            theirs, ratio, same = f"> {timeout:.0f} s" if use_pabutools else "-", "", "not checked"
        else:
            theirs = fmt(pabu["mes"])
            ratio = f"{pabu['mes'] / t_mes:>5.0f}x" if t_mes else ""
            same = ("yes" if pabu["mes_set"] == mine["mes_set"] else "NO") if mine else "not checked"
        print(f"  {name:40} {ours_text:>10} {theirs:>12} {ratio:>6} | {same}", flush=True)
    print(f"  after the synthetic elections: {load()}")


def synthetic_ballots(n: int, items: int, seed: int = 1) -> list[frozenset[str]]:
    """Ballots of 1-5 items, popularity falling off like 1/rank, as real ones do.

    Drawn from a pool of distinct ballots so that generating a million stays quick.
    """
    rng = random.Random(seed)
    names = [f"item{k:02d}" for k in range(items)]
    popularity = [1 / (k + 1) for k in range(items)]
    pool = [frozenset(rng.choices(names, popularity, k=rng.randint(1, 5))) for _ in range(50_000)]
    return rng.choices(pool, [1 / (k + 1) ** 0.5 for k in range(len(pool))], k=n)


def tally_numpy(masks: Any, items: int) -> list[int]:
    import numpy as np

    bits = np.unpackbits(masks.view(np.uint8), bitorder="little").reshape(len(masks), 64)
    return bits[:, :items].sum(axis=0).tolist()


def bench_tally(n: int = 1_000_000, items: int = 40) -> None:
    print(f"\nTally of {n:,} synthetic approval ballots over {items} items")
    t_gen, ballots = timed(synthetic_ballots, n, items)
    print(f"  {'generate the ballots (not part of any tally)':52} {fmt(t_gen):>10}")
    names = sorted(set(chain.from_iterable(ballots)))

    t_chain, by_chain = timed(lambda: Counter(chain.from_iterable(ballots)), repeat=3)
    print(f"  {'Counter over all approvals (chain.from_iterable)':52} {fmt(t_chain):>10}")

    def grouped() -> Counter[str]:
        counts: Counter[str] = Counter()
        for ballot, voters in Counter(ballots).items():
            for item in ballot:
                counts[item] += voters
        return counts

    t_grouped, by_group = timed(grouped, repeat=3)
    print(f"  {'Counter of distinct ballots, then per ballot':52} {fmt(t_grouped):>10}")

    election = Election.from_costs(dict.fromkeys(names, 1), 1, [])
    election.ballots = ballots  # already frozensets; skip re-validating a million
    t_rules, by_rules = timed(approval_counts, election, repeat=3)
    print(f"  {'yishi.ballots.rules.approval_counts':52} {fmt(t_rules):>10}")
    assert dict(by_chain) == dict(by_group) == {k: v for k, v in by_rules.items() if v}

    try:
        import numpy as np
    except ImportError:
        print("  numpy not installed: bitmask tally skipped")
        return
    bit = {name: 1 << k for k, name in enumerate(names)}
    t_encode, masks = timed(
        lambda: np.fromiter((sum(map(bit.__getitem__, b)) for b in ballots), np.uint64, n)
    )
    t_numpy, by_numpy = timed(tally_numpy, masks, len(names), repeat=3)
    label = "numpy: ballots as 40-bit masks, unpackbits + sum"
    print(f"  {label:52} {fmt(t_numpy):>10}  (encoding them: {fmt(t_encode)})")
    assert by_numpy == [by_chain[name] for name in names]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-pabutools", action="store_true", help="only time our rules")
    parser.add_argument(
        "--pabutools-limit",
        type=float,
        default=5.0,
        help="run pabutools in this process, interleaved with ours, only where its reference greedy + "
        "MES+Add1 seconds are at most this (default 5); elsewhere once in a child process",
    )
    parser.add_argument(
        "--no-background",
        action="store_true",
        help="over the limit, show pabutools' reference seconds instead of running it in a child process",
    )
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs per file (default 3)")
    parser.add_argument("--no-files", action="store_true", help="skip the Pabulib files")
    parser.add_argument("--no-synthetic", action="store_true", help="skip the synthetic elections")
    parser.add_argument(
        "--synthetic-timeout",
        type=float,
        default=300.0,
        help="stop either side on a synthetic election after this many CPU seconds (default 300)",
    )
    parser.add_argument("--no-tally", action="store_true", help="skip the synthetic tally")
    args = parser.parse_args()
    use_pabutools = not args.no_pabutools
    if use_pabutools:
        try:
            import pabutools  # noqa: F401
        except ImportError:
            print("pabutools not installed: showing its reference times only\n")
            use_pabutools = False
    if args.no_files:
        pass
    elif (DATA / "expected.json").is_file():
        bench_elections(use_pabutools, args.pabutools_limit, max(1, args.repeat), not args.no_background)
    else:
        print(f"no Pabulib data at {DATA}")
    if not args.no_synthetic:
        bench_synthetic(use_pabutools, args.synthetic_timeout)
    if not args.no_tally:
        bench_tally()


if __name__ == "__main__":
    main()
