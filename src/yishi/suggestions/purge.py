"""Clear residents' names and phone numbers once their suggestions have been answered for good
and the retention period has passed:

    python -m yishi.suggestions.purge [--days 180]

Run it daily (cron or a systemd timer); an administrator can also run it from 设置 in the app."""
from __future__ import annotations

import argparse
import asyncio


def main(argv: list[str] | None = None) -> None:
    from yishi.suggestions.retention import RETENTION_DAYS

    parser = argparse.ArgumentParser(prog="python -m yishi.suggestions.purge",
                                     description="清除办结满保存期限的居民建议中的姓名和电话")
    parser.add_argument("--days", type=int, default=RETENTION_DAYS, help=f"保存天数(默认 {RETENTION_DAYS})")
    args = parser.parse_args(argv)
    if args.days < 0:
        raise SystemExit("--days 不能为负数。")

    from yishi.cli import _setup, _with_engine, migrate_async
    from yishi.suggestions import retention

    _settings, engine = _setup()

    async def run() -> int:
        await migrate_async(quiet=True)
        return await retention.purge_personal_data(older_than_days=args.days)

    n = asyncio.run(_with_engine(engine, run()))
    print(f"已清除 {n} 条建议中的居民个人信息(办结满 {args.days} 天)。")


if __name__ == "__main__":
    main()
