"""CPU per ballot in-process, without HTTP or a second process: the ASGI apps (yishi and the bare
baseline of bench_ballots.py) called directly, 32 requests at a time, on a fresh database seeded
as bench_ballots.py does. Steadier than wrk on a shared machine, and it can profile the ballot path.

    python bench/profile_ballots.py [--db sqlite|postgres] [-n 3000] [--repeat 3]
                                    [--profile cprofile|pyinstrument] [--profile-bare]

Prints this process's CPU µs per request (the event loop and, on SQLite, the database thread;
not the PostgreSQL server's) for POST /v/CODE and POST /bare, and GET /healthz on both apps,
round after round, then the least of each over the rounds. Uvicorn's share (HTTP parsing,
sockets) is the same for both apps and is not in these figures. With --profile the ballot loop
(or the bare one) runs once more under the profiler and its report is printed (pyinstrument is
not a dependency: `uv pip install pyinstrument` to use it).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "src"))
sys.path.insert(0, str(BENCH))

import bench_ballots as bb  # noqa: E402


def _scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict:
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": b"", "root_path": "", "headers": headers,
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {}}


async def call(app, method: str, path: str, body: bytes = b"", cookie: str = "") -> tuple[int, bytes]:
    headers = [(b"host", b"127.0.0.1:8000")]
    if body:
        headers += [(b"content-type", b"application/x-www-form-urlencoded"),
                    (b"content-length", str(len(body)).encode())]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    sent = False
    out: dict = {"status": 0, "body": []}

    async def receive() -> dict:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"].append(message.get("body", b""))

    await app(_scope(method, path, headers), receive, send)
    return out["status"], b"".join(out["body"])


def db_thread_cpu() -> float:
    """CPU seconds of the SQLite engine's threads so far (0 on PostgreSQL)."""
    import threading

    total = 0.0
    for t in threading.enumerate():
        if t.name.startswith("yishi-sqlite") and t.native_id:
            try:
                fields = Path(f"/proc/self/task/{t.native_id}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


async def measure(label: str, make_calls, n: int) -> float:
    """Runs n requests, 32 at a time (like wrk -c32), and returns CPU µs per request."""
    calls = make_calls(n)
    t0, w0, d0 = time.process_time(), time.perf_counter(), db_thread_cpu()
    done = 0
    while done < n:
        batch = calls[done:done + 32]
        results = await asyncio.gather(*[c() for c in batch])
        bad = [r for r in results if not 200 <= r[0] < 300]
        if bad:
            raise RuntimeError(f"{label}: {bad[0][0]} {bad[0][1][:500]!r}")
        done += len(batch)
    cpu = (time.process_time() - t0) / n * 1e6
    wall = (time.perf_counter() - w0) / n * 1e6
    db = (db_thread_cpu() - d0) / n * 1e6
    print(f"  {label:<28} {cpu:7.0f} µs CPU/req, {db:4.0f} of them on the SQLite thread "
          f"({wall:5.0f} µs wall)", flush=True)
    return cpu


async def run(url: str, args: argparse.Namespace, seeded: dict) -> None:
    import bare_app

    from yishi.app import create_app
    from yishi.config import load_settings

    codes = seeded["codes"]
    forms = {c: "&".join(f"item={i}" for i in bb.ticks_for(k, seeded["item_ids"])) for k, c in enumerate(codes)}
    app = create_app(load_settings())
    bare = bare_app.create_app(url)
    async with app.lifespan(), bare.lifespan():
        csrf = await _csrf(app)
        cookie = f"csrftoken={csrf}"
        pos = 0

        def ballots(n: int):
            nonlocal pos
            mine = codes[pos:pos + n]
            pos += n
            return [lambda c=c: call(app, "POST", f"/v/{c}", f"_csrf_token={csrf}&{forms[c]}".encode(), cookie)
                    for c in mine]

        def bares(n: int):
            return [lambda c=c: call(bare, "POST", "/bare", f"_csrf_token={csrf}&{forms[c]}".encode(), cookie)
                    for c in codes[:n]]

        def health(target):
            return lambda n: [lambda: call(target, "GET", "/healthz", b"", cookie) for _ in range(n)]

        best: dict[str, float] = {}
        for round_ in range(args.repeat):
            print(f"round {round_ + 1}:")
            await measure("warm-up ballots", ballots, 300)
            b = await measure("POST /v/CODE (ballot)", ballots, args.n)
            await measure("warm-up bare", bares, 300)
            r = await measure("POST /bare (one insert)", bares, args.n)
            h = await measure("GET /healthz app", health(app), args.n)
            hb = await measure("GET /healthz bare", health(bare), args.n)
            print(f"  ratio by CPU (bare / ballot): {r / b:.2f}x")
            for k, v in {"ballot": b, "bare": r, "healthz app": h, "healthz bare": hb}.items():
                best[k] = min(best.get(k, v), v)
        print("least CPU µs/req over the rounds (the least disturbed by other work): "
              + ", ".join(f"{k} {v:.0f}" for k, v in best.items())
              + f"; ratio {best['bare'] / best['ballot']:.2f}x")
        if args.profile:
            calls = bares(args.n) if args.profile_bare else ballots(args.n)
            if args.profile == "pyinstrument":
                from pyinstrument import Profiler

                prof = Profiler(interval=0.001, async_mode="disabled")
                prof.start()
                for i in range(0, len(calls), 32):
                    await asyncio.gather(*[c() for c in calls[i:i + 32]])
                prof.stop()
                print(prof.output_text(unicode=True, color=False, show_all=True))
            else:
                import cProfile
                import pstats

                prof = cProfile.Profile()
                prof.enable()
                for i in range(0, len(calls), 32):
                    await asyncio.gather(*[c() for c in calls[i:i + 32]])
                prof.disable()
                stats = pstats.Stats(prof)
                stats.sort_stats("tottime").print_stats(40)
                stats.sort_stats("cumulative").print_stats(60)


async def _csrf(app) -> str:
    headers: list = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            headers.extend(message.get("headers", []))

    await app(_scope("GET", "/vote", [(b"host", b"127.0.0.1:8000")]), receive, send)
    for name, value in headers:
        if name.lower() == b"set-cookie" and value.startswith(b"csrftoken="):
            return value.split(b";", 1)[0].split(b"=", 1)[1].decode()
    raise RuntimeError("no csrftoken cookie from GET /vote")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("-n", type=int, default=3000, help="requests per measurement")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", choices=["cprofile", "pyinstrument"])
    parser.add_argument("--profile-bare", action="store_true", help="profile POST /bare instead")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="yishi-profile-"))
    pg_name = None
    if args.db == "sqlite":
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        pg_name = f"yishi_profile_{uuid.uuid4().hex[:10]}"
        asyncio.run(bb._pg_admin(f'CREATE DATABASE "{pg_name}"'))
        url = f"{bb.PG_ADMIN_URL.rsplit('/', 1)[0]}/{pg_name}"
    os.environ.update(YISHI_DATABASE_URL=url, YISHI_DATA_DIR=str(tmp), YISHI_SECRET_KEY=bb.SECRET,
                      PICCOLO_CONF="yishi.piccolo_conf")
    try:
        n_codes = 300 + (300 + args.n) * args.repeat + args.n + 100
        seeded = asyncio.run(bb.seed(url, n_codes))
        try:
            import uvloop

            uvloop.run(run(url, args, seeded))
        except ImportError:
            asyncio.run(run(url, args, seeded))
    finally:
        if pg_name:
            asyncio.run(bb._pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
