"""Clear residents' names and phone numbers once their suggestions have been answered for good
and the retention period has passed:

    yishi purge [--days 180]
    python -m yishi.suggestions.purge [--days 180]     (the same, for cron lines written before)

Run it daily (cron or a systemd timer); an administrator can also run it from 设置 in the app.
This module needs nothing of the `yishi` command: it opens the database itself (core.db)."""
from __future__ import annotations

import argparse
import asyncio

from yishi.config import load_settings
from yishi.core import db
from yishi.suggestions import retention
from yishi.suggestions.retention import RETENTION_DAYS


def run(days: int = RETENTION_DAYS) -> int:
    """Migrate, purge, report; on an engine of its own, opened and closed here."""
    if days < 0:
        raise SystemExit("--days 不能为负数。")
    engine = db.configure(load_settings().database_url)

    async def purge() -> int:
        await db.start(engine)
        try:
            await db.migrate(quiet=True)
            return await retention.purge_personal_data(older_than_days=days)
        finally:
            await db.stop(engine)

    n = asyncio.run(purge())
    print(f"已清除 {n} 条建议中的居民个人信息(办结满 {days} 天)。")
    return n


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--days", type=int, default=RETENTION_DAYS, help=f"保存天数(默认 {RETENTION_DAYS})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m yishi.suggestions.purge",
                                     description="清除办结满保存期限的居民建议中的姓名和电话")
    add_arguments(parser)
    run(parser.parse_args(argv).days)


if __name__ == "__main__":
    main()
