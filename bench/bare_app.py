"""The baseline for bench_ballots.py: a bare Litestar app with one POST endpoint that does ONE
insert through Piccolo, on the engine yishi uses (yishi.core.db.make_engine, same URL, so the
same engine class and PRAGMAs), served by uvicorn with the same options as `yishi serve`.

    python bench/bare_app.py --url sqlite:////tmp/x.sqlite3 --port 8123 [--workers N]

No CSRF, no sessions, no templates: what is left is the price of HTTP + form parsing + one
committed insert, the floor the ballot endpoint is compared with.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("PICCOLO_CONF", "yishi.piccolo_conf")

from litestar import Litestar, MediaType, Request, get, post
from piccolo.columns import Integer
from piccolo.engine.base import Engine
from piccolo.table import Table

from yishi.core import db as core_db

TABLE_NAME = "bench_insert"


def make_table(engine: Engine) -> type[Table]:
    class BenchInsert(Table, tablename=TABLE_NAME, db=engine):
        value = Integer(default=0)

    return BenchInsert


def create_app(url: str) -> Litestar:
    engine = core_db.make_engine(url)
    table = make_table(engine)

    @post("/bare", media_type=MediaType.TEXT, status_code=200)
    async def bare(request: Request) -> str:
        form = await request.form()
        await table.insert(table(value=len(form.getall("item")))).run()
        return "ok"

    @get("/healthz", media_type=MediaType.TEXT)
    async def healthz() -> str:
        return "ok"

    async def on_startup(app: Litestar) -> None:
        await core_db.start(engine)

    async def on_shutdown(app: Litestar) -> None:
        await core_db.stop(engine)

    return Litestar(route_handlers=[bare, healthz], on_startup=[on_startup],
                    on_shutdown=[on_shutdown], debug=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="database URL, as YISHI_DATABASE_URL")
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--workers", type=int, default=1, help="worker processes, as `yishi serve --workers`")
    args = parser.parse_args()

    import uvicorn

    from yishi.cli import uvicorn_options

    if args.workers == 1:
        uvicorn.run(create_app(args.url), host=args.host, port=args.port, **uvicorn_options())
    else:
        # As yishi serve does it: each worker process builds the app from an import string.
        os.environ["BARE_APP_URL"] = args.url
        uvicorn.run("bare_app:app_from_env", factory=True, workers=args.workers, host=args.host, port=args.port,
                    app_dir=str(Path(__file__).resolve().parent), **uvicorn_options())


def app_from_env() -> Litestar:
    return create_app(os.environ["BARE_APP_URL"])


if __name__ == "__main__":
    main()
