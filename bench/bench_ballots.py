"""Ballots per second through the real app, against a bare one-insert endpoint on the same engine.

    python bench/bench_ballots.py [--db sqlite|postgres|both] [--seconds N] [--connections C]
                                  [--workers 1 2]   (more than one worker: PostgreSQL only)

For each database: a fresh one (a temporary SQLite file, or a new PostgreSQL database that is
dropped afterwards), migrated with yishi.cli.migrate_async, holding one round open for ticking
with 20 items (at most 5 ticks) and --codes ballot codes (bulk-inserted). Then, one after the
other on loopback only:

  * `yishi serve` (a subprocess: uvicorn, one worker, or `--workers N` for each N given), driven
    by wrk with bench/ballots.lua:
    every request spends the next unused code (POST /v/CODE, form `_csrf_token=...&item=ID...`
    with the csrftoken cookie), after a short warm-up on other codes;
  * bench/bare_app.py (same engine class and URL, as many workers), driven the same way: POST /bare.

Afterwards the database is checked: ballots == spent codes, every successful (2xx) response
has its ballot, no more ballots than codes sent, and the tally of every item equals what the
spent codes ticked (ballots hold no link to codes, so this is counted over the codes). The run
is bounded (wrk -d), and stops its servers and drops its database whatever happens.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(BENCH))

PG_ADMIN_URL = os.environ.get("YISHI_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ITEMS = 20
MAX_TICKS = 5
COMMUNITIES = 3
SECRET = "bench-secret-key-" + "x" * 32


def ticks_for(index: int, item_ids: list[int]) -> list[int]:
    """The items code number `index` ticks: 1..MAX_TICKS distinct items, varied and repeatable."""
    k = 1 + index % MAX_TICKS
    return sorted(item_ids[(index * 7 + 3 * j) % len(item_ids)] for j in range(k))


# --- database -------------------------------------------------------------------------------

async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def seed(url: str, n_codes: int) -> dict:
    """Migrate, create a round with ITEMS items open for ticking and n_codes codes, and the bare
    app's table. Runs in this process, on a short-lived engine."""
    import bare_app

    from yishi.ballots import codes as code_utils
    from yishi.ballots import lifecycle
    from yishi.cli import migrate_async
    from yishi.core import db as core_db
    from yishi.places.tables import Community, District, Town
    from yishi.wishlists import services as wishlists
    from yishi.wishlists.enums import ItemKind

    engine = core_db.configure(url)
    await core_db.start(engine)
    try:
        await migrate_async(quiet=True)
        await bare_app.make_table(engine).create_table(if_not_exists=True).run()
        district = District(name="测试区")
        await district.save()
        town = Town(district=district.id, name="测试街道")
        await town.save()
        communities = []
        for i in range(COMMUNITIES):
            c = Community(town=town.id, name=f"第{i + 1}社区")
            await c.save()
            communities.append(c.id)
        round_id = await wishlists.create_round(town_id=town.id, title="压测批次", budget_fen=10**8,
                                               max_ticks=MAX_TICKS, actor=None)
        r = await wishlists.get_round(round_id)
        for i in range(ITEMS):
            await wishlists.add_item(r, title=f"项目{i + 1}", description="压测", cost_fen=100_00,
                                     kind=ItemKind.special, actor=None)
        item_ids = [i["id"] for i in await wishlists.items_of(round_id)]
        new: set[str] = set()
        while len(new) < n_codes:
            new.add(code_utils.new_code())
        codes = list(new)
        rows = [(round_id, communities[i % COMMUNITIES], c) for i, c in enumerate(codes)]
        if url.startswith("sqlite"):
            path = engine.path
            conn = sqlite3.connect(path)
            with conn:
                conn.executemany("INSERT INTO ballot_code (round, community, code) VALUES (?, ?, ?)", rows)
            conn.close()
        else:
            import asyncpg

            conn = await asyncpg.connect(url)
            try:
                await conn.copy_records_to_table("ballot_code", records=rows,
                                                 columns=["round", "community", "code"])
            finally:
                await conn.close()
        if hasattr(wishlists, "adopt_list"):  # the council's 定稿 comes before publishing
            await wishlists.adopt_list(await wishlists.get_round(round_id))
        await lifecycle.open_voting(await wishlists.get_round(round_id), actor=None)
    finally:
        await core_db.stop(engine)
    return {"round_id": round_id, "item_ids": item_ids, "codes": codes}


async def db_counts(url: str, round_id: int) -> dict:
    """Counts straight from the database driver, after the servers have stopped."""
    queries = {
        "ballots": "SELECT count(*) FROM ballot WHERE round = {p}",
        "choices": "SELECT count(*) FROM ballot_choice c JOIN ballot b ON b.id = c.ballot WHERE b.round = {p}",
        "bare_rows": "SELECT count(*) FROM bench_insert",
        "receipts": "SELECT count(DISTINCT receipt) FROM ballot WHERE round = {p}",
    }
    used_q = "SELECT code FROM ballot_code WHERE round = {p} AND used_at IS NOT NULL"
    tally_q = ("SELECT c.item, count(*) FROM ballot_choice c JOIN ballot b ON b.id = c.ballot "
               "WHERE b.round = {p} GROUP BY c.item")
    bad_q = "SELECT count(*) FROM ballot_code WHERE round = {p} AND (used_at IS NULL) <> (channel IS NULL)"
    out: dict = {}
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url[len("sqlite:///"):])
        try:
            for k, q in {**queries, "inconsistent": bad_q}.items():
                out[k] = conn.execute(q.format(p="?") if "{p}" in q else q,
                                      (round_id,) if "{p}" in q else ()).fetchone()[0]
            out["used"] = [r[0] for r in conn.execute(used_q.format(p="?"), (round_id,))]
            out["tally"] = dict(conn.execute(tally_q.format(p="?"), (round_id,)).fetchall())
            out["integrity"] = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    else:
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            for k, q in {**queries, "inconsistent": bad_q}.items():
                args = (round_id,) if "{p}" in q else ()
                out[k] = await conn.fetchval(q.format(p="$1"), *args)
            out["used"] = [r[0] for r in await conn.fetch(used_q.format(p="$1"), round_id)]
            out["tally"] = {r[0]: r[1] for r in await conn.fetch(tally_q.format(p="$1"), round_id)}
            out["integrity"] = "ok"
        finally:
            await conn.close()
    return out


# --- servers and wrk ------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, name: str, argv: list[str], env: dict, port: int, log: Path) -> None:
        self.name, self.port = name, port
        self.log = log
        self.proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1).read()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"{name} did not start:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.1)

    def cpu_seconds(self) -> float:
        """User + system CPU time so far of the server process and of its worker processes
        (uvicorn --workers), all their threads."""
        total = 0
        for pid in _tree(self.proc.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # uvicorn shuts down gracefully on SIGTERM
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _tree(pid: int) -> list[int]:
    """pid and its descendants (uvicorn's supervisor, its workers, multiprocessing helpers)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return out


@dataclass
class WrkResult:
    next: int
    sent: int
    requests: int
    seconds: float
    ok: int
    bad: int
    statuses: str
    socket_errors: str
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    cpu_s: float = 0.0  # the server's CPU time during the run

    @property
    def cpu_ms_per_ok(self) -> float:
        return 1000 * self.cpu_s / self.ok if self.ok else float("nan")

    @property
    def ok_per_s(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def run_wrk(server: Server, codes_file: Path, start: int, path: str, csrf: str, seconds: float,
            connections: int, timeout_s: int) -> WrkResult:
    cpu0 = server.cpu_seconds()
    result = _wrk(server.url, codes_file, start, path, csrf, seconds, connections, timeout_s)
    result.cpu_s = server.cpu_seconds() - cpu0
    return result


def _wrk(url: str, codes_file: Path, start: int, path: str, csrf: str, seconds: float,
         connections: int, timeout_s: int) -> WrkResult:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout_s}s",
            "-s", str(BENCH / "ballots.lua"), url, "--", str(codes_file), str(start), path, csrf]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + timeout_s + 60)
    line = next((out for out in done.stdout.splitlines() if out.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    f = dict(kv.split("=", 1) for kv in line.split()[1:])
    us = lambda k: int(f[k]) / 1000  # noqa: E731
    return WrkResult(
        next=int(f["next"]), sent=int(f["next"]) - start, requests=int(f["requests"]),
        seconds=int(f["duration_us"]) / 1e6, ok=int(f["ok"]), bad=int(f["bad"]),
        statuses=f["statuses"],
        socket_errors=f"connect {f['connect']} read {f['read']} write {f['write']} timeout {f['timeout']}",
        p50_ms=us("p50_us"), p90_ms=us("p90_us"), p99_ms=us("p99_us"), max_ms=us("max_us"),
    )


def csrf_cookie(base: str) -> str:
    with urllib.request.urlopen(base + "/vote", timeout=10) as resp:
        for header in resp.headers.get_all("set-cookie") or []:
            m = re.match(r"csrftoken=([^;]+)", header)
            if m:
                return m.group(1)
    raise RuntimeError("no csrftoken cookie from GET /vote")


def post_one(base: str, code: str, body: str, csrf: str) -> tuple[int, str]:
    req = urllib.request.Request(base + f"/v/{code}", data=f"_csrf_token={csrf}&{body}".encode(),
                                 headers={"Content-Type": "application/x-www-form-urlencoded",
                                          "Cookie": f"csrftoken={csrf}"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def server_flavour() -> str:
    """What uvicorn picks with yishi's options ("auto" takes uvloop and httptools if installed)."""
    import importlib.util

    from yishi.cli import uvicorn_options

    options = uvicorn_options()
    loop, http = options.get("loop", "auto"), options.get("http", "auto")
    if loop == "auto":
        loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    if http == "auto":
        http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"uvicorn, {loop} + {http}"


# --- one database ---------------------------------------------------------------------------

def bench_one(kind: str, args: argparse.Namespace) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix=f"yishi-bench-{kind}-"))
    pg_name = None
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        pg_name = f"yishi_bench_{uuid.uuid4().hex[:10]}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{pg_name}"'))
        url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{pg_name}"
    env = {**os.environ, "YISHI_DATABASE_URL": url, "YISHI_DATA_DIR": str(tmp),
           "YISHI_SECRET_KEY": SECRET, "PICCOLO_CONF": "yishi.piccolo_conf",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    os.environ.update({k: env[k] for k in ("YISHI_DATABASE_URL", "YISHI_DATA_DIR", "YISHI_SECRET_KEY",
                                           "PICCOLO_CONF")})
    servers: list[Server] = []
    try:
        t0 = time.monotonic()
        seeded = asyncio.run(seed(url, args.codes))
        print(f"[{kind}] seeded: round {seeded['round_id']}, {ITEMS} items, {args.codes:,} codes "
              f"in {time.monotonic() - t0:.1f} s", flush=True)
        codes, item_ids = seeded["codes"], seeded["item_ids"]
        expected = {c: ticks_for(i, item_ids) for i, c in enumerate(codes)}
        line_of = {c: i + 1 for i, c in enumerate(codes)}
        ticks_form = {c: "&".join(f"item={i}" for i in expected[c]) for c in codes}
        codes_file = tmp / "codes.tsv"
        codes_file.write_text("".join(f"{c}\t{ticks_form[c]}\n" for c in codes))

        results: dict = {"db": kind}
        ok_total = 0
        sent_total = 0
        pos = 1  # next unused line of codes_file (1-based, as in Lua)

        runs: list[dict] = []
        bare_ok = 0
        csrf = ""
        for workers in args.workers:
            # The app under test, started as an operator starts it.
            port = free_port()
            argv = [sys.executable, "-m", "yishi.cli", "serve", "--port", str(port)]
            if workers > 1:
                argv += ["--workers", str(workers)]
            app = Server(f"yishi serve ({workers} worker)", argv, {**env, "YISHI_PORT": str(port)}, port,
                         tmp / f"serve-{workers}.log")
            servers.append(app)
            if not csrf:
                csrf = csrf_cookie(app.url)
                # One request by hand first: it must be a receipt page, or the run measures errors.
                status, page = post_one(app.url, codes[0], ticks_form[codes[0]], csrf)
                sent_total += 1
                pos = 2
                if status != 200 or 'id="receipt"' not in page:
                    raise RuntimeError(f"a first ballot did not get a receipt ({status}):\n{page[:2000]}")
                ok_total += 1
            warm = run_wrk(app, codes_file, pos, "/v/", csrf, args.warmup, args.connections, args.timeout)
            pos, ok_total, sent_total = warm.next, ok_total + warm.ok, sent_total + warm.sent
            ballots = run_wrk(app, codes_file, pos, "/v/", csrf, args.seconds, args.connections, args.timeout)
            pos, ok_total, sent_total = ballots.next, ok_total + ballots.ok, sent_total + ballots.sent
            app.stop()
            if pos > len(codes):
                print(f"[{kind}] WARNING: ran out of codes; raise --codes", flush=True)

            # The baseline, on the same database, with as many workers.
            port = free_port()
            bare = Server(f"bare app ({workers} worker)",
                          [sys.executable, str(BENCH / "bare_app.py"), "--url", url, "--port", str(port),
                           "--workers", str(workers)], env, port, tmp / f"bare-{workers}.log")
            servers.append(bare)
            bare_warm = run_wrk(bare, codes_file, 1, "/bare", csrf, args.warmup, args.connections, args.timeout)
            bare_run = run_wrk(bare, codes_file, 1, "/bare", csrf, args.seconds, args.connections, args.timeout)
            bare.stop()
            bare_ok += bare_warm.ok + bare_run.ok
            runs.append({"workers": workers, "ballots": ballots, "bare": bare_run})

        counts = asyncio.run(db_counts(url, seeded["round_id"]))
        used = counts["used"]
        exp_tally: Counter = Counter()
        for c in used:
            exp_tally.update(expected[c])
        checks = {
            "ballots == spent codes": counts["ballots"] == len(used),
            "receipts unique": counts["receipts"] == counts["ballots"],
            "every 2xx has its ballot": counts["ballots"] >= ok_total,
            "no more ballots than codes sent": counts["ballots"] <= sent_total,
            "only codes that were sent are spent": all(line_of[c] < pos for c in used),
            "choices == ticks of spent codes": counts["choices"] == sum(exp_tally.values()),
            "tally per item == ticks of spent codes": counts["tally"] == dict(exp_tally),
            "used_at and channel set together": counts["inconsistent"] == 0,
            "bare rows >= bare 2xx": counts["bare_rows"] >= bare_ok,
            "database integrity": counts["integrity"] == "ok",
        }
        results.update(runs=runs, counts={k: v for k, v in counts.items()
                                                               if k not in ("used", "tally")},
                       ok_total=ok_total, sent_total=sent_total, checks=checks)
        return results
    finally:
        for s in servers:
            s.stop()
        if pg_name:
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"[{kind}] kept {tmp}")


def report(all_results: list[dict], args: argparse.Namespace) -> bool:
    print()
    load = os.getloadavg()
    print(f"wrk -t1 -c{args.connections} -d{args.seconds}s, loopback; {server_flavour()}; "
          f"{os.cpu_count()} CPUs shared by server and wrk; load average {load[0]:.1f} {load[1]:.1f}")
    print("ok/s is what this machine gave just now; server CPU ms/req is steadier when other work "
          "shares the machine (1000 / it = requests a second one busy core could serve).")
    print()
    head = ("db", "workers", "endpoint", "ok/s", "p50 ms", "p99 ms", "max ms", "non-2xx", "sock err", "ratio",
            "server CPU ms/req", "ratio by CPU")
    rows = []
    for r in all_results:
        for run in r["runs"]:
            b, bare, w = run["ballots"], run["bare"], str(run["workers"])
            ratio = b.ok_per_s / bare.ok_per_s if bare.ok_per_s else float("nan")
            cpu_ratio = bare.cpu_ms_per_ok / b.cpu_ms_per_ok if b.ok else float("nan")
            rows.append((r["db"], w, "POST /v/{code} ballot", f"{b.ok_per_s:,.0f}", f"{b.p50_ms:.1f}",
                         f"{b.p99_ms:.1f}", f"{b.max_ms:.0f}", str(b.bad), _sock(b), f"{ratio:.2f}x",
                         f"{b.cpu_ms_per_ok:.2f}", f"{cpu_ratio:.2f}x"))
            rows.append((r["db"], w, "POST /bare one insert", f"{bare.ok_per_s:,.0f}", f"{bare.p50_ms:.1f}",
                         f"{bare.p99_ms:.1f}", f"{bare.max_ms:.0f}", str(bare.bad), _sock(bare), "1.00x",
                         f"{bare.cpu_ms_per_ok:.2f}", "1.00x"))
    widths = [max(len(str(x[i])) for x in [head, *rows]) for i in range(len(head))]
    def line(cells: list) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"
    print(line(head))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
    print()
    for r in all_results:
        by_workers = {run["workers"]: run for run in r["runs"]}
        one = by_workers.get(1)
        for w, run in sorted(by_workers.items()):
            if w == 1 or one is None:
                continue
            # What each worker past the first adds, as a share of what the first gives alone.
            def gain(key: str, run=run, one=one, w=w) -> float:
                return (run[key].ok_per_s / one[key].ok_per_s - 1) / (w - 1) if one[key].ok_per_s else float("nan")
            print(f"[{r['db']}] {w} workers against 1: each further worker adds {gain('ballots'):.2f}x of the "
                  f"first in ballots/s ({gain('bare'):.2f}x on the bare endpoint); on {os.cpu_count()} CPUs "
                  f"shared with wrk and anything else running, this says little past that number of cores.")
    good = True
    for r in all_results:
        failed = [name for name, ok in r["checks"].items() if not ok]
        bad = sum(run["ballots"].bad + run["bare"].bad for run in r["runs"])
        c = r["counts"]
        statuses = "; ".join(f"{run['workers']} worker: ballot {run['ballots'].statuses} bare {run['bare'].statuses}"
                             for run in r["runs"])
        print(f"[{r['db']}] database: {c['ballots']:,} ballots, {c['choices']:,} ticks; codes sent "
              f"{r['sent_total']:,}, 2xx {r['ok_total']:,}; statuses {statuses}")
        if failed or bad:
            good = False
            print(f"[{r['db']}] FAILED: " + ", ".join(failed + ([f"{bad} non-2xx responses"] if bad else [])))
        else:
            print(f"[{r['db']}] checks passed: " + "; ".join(r["checks"]))
    return good


def _sock(w: WrkResult) -> str:
    n = sum(int(x) for x in re.findall(r"\d+", w.socket_errors))
    return str(n)


def main() -> None:
    parser = argparse.ArgumentParser(description="yishi ballots/s against a bare one-insert endpoint")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per endpoint")
    parser.add_argument("--warmup", type=int, default=2, help="warm-up seconds per endpoint")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--timeout", type=int, default=5, help="wrk's per-request timeout, seconds")
    parser.add_argument("--codes", type=int, help="ballot codes to seed (default 60,000 per worker count)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1],
                        help="worker counts to run, one after the other (e.g. 1 2); more than 1 needs PostgreSQL")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, SQLite file)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if any(w > 1 for w in args.workers) and "sqlite" in kinds:
        raise SystemExit("--workers above 1 needs PostgreSQL (yishi serve refuses it on SQLite): use --db postgres")
    args.codes = args.codes or 60_000 * len(args.workers)
    results = [bench_one(kind, args) for kind in kinds]
    if not report(results, args):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
