"""The `yishi` command: serve, migrate, demo, create-user, export, tally, import-pb, audit, backup,
restore, purge.

Each command imports what it needs inside its function (noqa PLC0415 — start-up cost): `yishi tally`
reads a file and should not load the web app, the tables or a database engine."""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from yishi.core import i18n
from yishi.core.i18n import _


def _run(coro):
    """asyncio.run, imported here: `yishi tally` never needs an event loop (asyncio costs 0.1 s)."""
    import asyncio  # noqa: PLC0415 — start-up cost

    return asyncio.run(coro)


async def migrate_async(quiet: bool = False) -> None:
    """core.db.migrate, under the name the tests and benches import."""
    from yishi.core import db  # noqa: PLC0415 — start-up cost

    await db.migrate(quiet)


def _settings():
    """The settings, or an exit naming the YISHI_* variable that cannot be used (no traceback)."""
    from yishi.config import SettingError, load_settings  # noqa: PLC0415 — start-up cost (msgspec)

    try:
        return load_settings()
    except SettingError as exc:
        raise SystemExit(_(exc.template).format(**exc.values)) from None


def _setup(url: str | None = None):
    from yishi.core import db  # noqa: PLC0415 — start-up cost

    if url:
        os.environ["YISHI_DATABASE_URL"] = url
    settings = _settings()
    engine = db.configure(settings.database_url)
    return settings, engine


async def _with_engine(engine, coro):
    from yishi.core import db  # noqa: PLC0415 — start-up cost

    await db.start(engine)
    try:
        return await coro
    finally:
        await db.stop(engine)


def cmd_migrate(args: argparse.Namespace) -> None:
    _settings, engine = _setup()
    _run(_with_engine(engine, migrate_async()))
    print(_("数据库已是最新结构。"))


def uvicorn_options() -> dict:
    """uvicorn's settings for `yishi serve`, shared with bench/bare_app.py so the baseline is
    served the same way. With --workers, uvicorn takes a worker that does not answer its health
    check within the timeout for hung and starts another: 5 s (its default) is less than a worker
    needs to start on a busy machine, where that loops for ever."""
    # proxy_headers off: uvicorn would otherwise take X-Forwarded-For from 127.0.0.1 on its own;
    # which proxies are believed is YISHI_TRUSTED_PROXIES, in one place (web.clients).
    return {"log_level": "warning", "access_log": False, "timeout_worker_healthcheck": 30, "proxy_headers": False}


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn  # noqa: PLC0415 — start-up cost

    from yishi.app import create_app  # noqa: PLC0415 — start-up cost

    settings, engine = _setup()
    workers = 1 if args.workers is None else args.workers
    if workers < 1:
        raise SystemExit(_("--workers 至少为 1。"))
    if workers > 1 and not settings.is_postgres:
        # One SQLite file takes one writer at a time; its engine (core.db) batches the writes of
        # one process. Several processes would queue on the file's lock instead.
        raise SystemExit(_("多个工作进程（--workers）需要 PostgreSQL 数据库（设置 YISHI_DATABASE_URL）；"
                           "SQLite 只用一个进程。"))
    _run(_with_engine(engine, migrate_async(quiet=True)))
    if args.demo:
        from yishi import demo  # noqa: PLC0415 — start-up cost

        _run(_with_engine(engine, demo.build(verbose=True)))
    host = args.host or settings.host
    port = args.port or settings.port
    print(_("议事 yishi 已启动： {url} （数据库：{db}，{n} 个工作进程）").format(
        url=f"http://{host}:{port}/", db=settings.database_url, n=workers))
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, **uvicorn_options())
    else:
        # Each worker process builds its own app from the same environment (the settings, the
        # key file in the data folder); what they must agree on lives in the database.
        uvicorn.run("yishi.app:create_app", factory=True, workers=workers, host=host, port=port,
                    **uvicorn_options())


def cmd_demo(args: argparse.Namespace) -> None:
    from yishi import demo  # noqa: PLC0415 — start-up cost

    _settings, engine = _setup()

    async def run() -> None:
        await migrate_async(quiet=True)
        await demo.build(verbose=True)

    _run(_with_engine(engine, run()))


def _ask_password() -> str:
    import getpass  # noqa: PLC0415 — start-up cost

    return getpass.getpass(_("密码： "))


def cmd_create_user(args: argparse.Namespace) -> None:
    from yishi.accounts import services  # noqa: PLC0415 — start-up cost
    from yishi.accounts.enums import Role  # noqa: PLC0415 — start-up cost
    from yishi.core.errors import DomainError  # noqa: PLC0415 — start-up cost

    _settings, engine = _setup()
    password = args.password or os.environ.get("YISHI_NEW_PASSWORD") or _ask_password()

    async def run() -> None:
        await migrate_async(quiet=True)
        user = await services.create_user(
            username=args.username, password=password, display_name=args.name or args.username,
            role=Role(args.role), town_id=args.town, community_id=args.community, district_id=args.district,
        )
        print(_("已创建用户 {name}({role})。").format(name=user.username, role=Role(args.role).label))

    try:
        _run(_with_engine(engine, run()))
    except DomainError as exc:
        raise SystemExit(exc.message) from exc


def cmd_export(args: argparse.Namespace) -> None:
    from yishi.core.errors import DomainError  # noqa: PLC0415 — start-up cost
    from yishi.meetings import exports  # noqa: PLC0415 — start-up cost

    _settings, engine = _setup()
    try:
        filename, _mime, data = _run(_with_engine(engine, exports.intent_list_pdf(args.round)))
    except DomainError as exc:
        raise SystemExit(exc.message) from exc
    output = Path(args.output or filename)
    output.write_bytes(data)
    print(_("已导出 {file}({n} 字节)。").format(file=output, n=f"{len(data):,}"))


def cmd_tally(args: argparse.Namespace) -> None:
    """Pure: reads the file, prints the outcome; touches no database."""
    from yishi.ballots import rules  # noqa: PLC0415 — start-up cost

    try:
        election = rules.parse_pb(Path(args.file))
    except rules.PbFormatError as exc:
        # Only a faulty file needs the messages, and their module loads the tables (2 s).
        from yishi.ballots.imports import pb_message  # noqa: PLC0415 — start-up cost

        raise SystemExit(pb_message(exc)) from exc
    except (OSError, ValueError) as exc:
        raise SystemExit(_("无法读取 {file}：{why}").format(file=args.file, why=exc)) from exc
    selected = rules.greedy(election) if args.rule == "greedy" else rules.mes(election)
    cost = election.cost_of(selected)
    print(json.dumps({"selected": selected, "cost": cost if isinstance(cost, int) else float(cost)},
                     ensure_ascii=False))


def cmd_import_pb(args: argparse.Namespace) -> None:
    from yishi.ballots import imports  # noqa: PLC0415 — start-up cost
    from yishi.core.errors import DomainError  # noqa: PLC0415 — start-up cost

    _settings, engine = _setup()
    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SystemExit(_("无法读取 {file}：{why}").format(file=args.file, why=exc)) from exc

    async def run() -> int:
        await migrate_async(quiet=True)
        return await imports.import_pb(text, town_id=args.town, community_id=args.community,
                                       title=args.title or "")

    try:
        round_id = _run(_with_engine(engine, run()))
    except DomainError as exc:
        raise SystemExit(exc.message) from exc
    print(_("已导入为批次 {id}。").format(id=round_id))


def cmd_export_round(args: argparse.Namespace) -> None:
    from yishi.ballots import exports  # noqa: PLC0415 — start-up cost
    from yishi.core.errors import DomainError  # noqa: PLC0415 — start-up cost

    _settings, engine = _setup()
    try:
        filename, _mime, data = _run(_with_engine(engine, exports.EXPORTS[args.what](args.round)))
    except DomainError as exc:
        raise SystemExit(exc.message) from exc
    output = Path(args.output or filename)
    output.write_bytes(data)
    print(_("已导出 {file}({n} 字节)。").format(file=output, n=f"{len(data):,}"))


def cmd_purge(args: argparse.Namespace) -> None:
    from yishi.suggestions import purge  # noqa: PLC0415 — start-up cost

    _settings()  # refuses a bad setting before anything starts
    if args.days is None:
        purge.run()
    else:
        purge.run(args.days)


def cmd_audit_verify(args: argparse.Namespace) -> None:
    """Walks the audit trail's hash chain; exits 1 naming the first entry that does not match."""
    from yishi.core import audit  # noqa: PLC0415 — start-up cost

    _settings, engine = _setup()
    verdict = _run(_with_engine(engine, audit.verify()))
    if verdict.unsealed:
        print(_("链前有 {n} 条旧记录（启用防篡改链之前写入，未纳入校验）。").format(n=verdict.unsealed))
    if verdict.bad_id is not None:
        why = (_("内容与其哈希不符（被改动过）") if verdict.reason == "content"
               else _("与上一条记录接不上（其前有记录被删除、插入或改动）"))
        print(_("审计日志校验失败：第一条有问题的记录是 #{id}，{why}。此前 {n} 条完好。").format(
            id=verdict.bad_id, why=why, n=verdict.checked))
        raise SystemExit(1)
    head = verdict.head
    print(_("审计日志完好：{n} 条记录，链头 #{id} {hash}").format(
        n=verdict.checked, id=head.entry_id if head else "-", hash=head.hash if head else _("(空)")))


async def _server_version_num() -> int:
    from yishi.core.tables import AuditEntry  # noqa: PLC0415 — start-up cost

    return int((await AuditEntry.raw("SHOW server_version_num").run())[0]["server_version_num"])


def cmd_backup(args: argparse.Namespace) -> None:
    """The whole database into FILE, while the server keeps running."""
    from yishi.core import backup  # noqa: PLC0415 — start-up cost
    from yishi.core.errors import DomainError  # noqa: PLC0415 — start-up cost

    settings, engine = _setup()
    dest = Path(args.file).resolve()
    try:
        if settings.is_postgres:
            backup.backup_pg(settings.database_url, dest, _run(_with_engine(engine, _server_version_num())))
        else:
            backup.backup_sqlite(settings.database_url, dest)
    except DomainError as exc:
        raise SystemExit(exc.message) from exc
    print(_("已备份到 {file}（{n} 字节）。密钥文件 {key} 和 {photos} 需另行备份。").format(
        file=dest, n=f"{dest.stat().st_size:,}", key=settings.data_dir / "secret_key",
        photos=settings.data_dir / "photos"))


def cmd_restore(args: argparse.Namespace) -> None:
    """FILE back into the configured database, replacing what it holds (server stopped)."""
    from yishi.core import backup  # noqa: PLC0415 — start-up cost
    from yishi.core.errors import DomainError  # noqa: PLC0415 — start-up cost

    settings, engine = _setup()
    source = Path(args.file).resolve()
    try:
        kind = backup.kind_of(source)
        if kind != ("postgres" if settings.is_postgres else "sqlite"):
            raise DomainError(
                _("{file} 是 {kind} 的备份，而当前数据库是 {current}（YISHI_DATABASE_URL），不能直接恢复。").format(
                file=source, kind="PostgreSQL" if kind == "postgres" else "SQLite",
                current="PostgreSQL" if settings.is_postgres else "SQLite"))
        if not args.yes:
            raise DomainError(
                _("恢复会用 {file} 替换当前数据库（{db}）中的全部数据。请先停止网站服务，再加 --yes 运行。").format(
                    file=source, db=settings.database_url))
        if settings.is_postgres:
            backup.restore_pg(settings.database_url, source, _run(_with_engine(engine, _server_version_num())))
        else:
            backup.restore_sqlite(settings.database_url, source)
    except DomainError as exc:
        raise SystemExit(exc.message) from exc
    # A backup from an older version gets the newer tables and columns now, not at the next start.
    _settings, engine = _setup()
    _run(_with_engine(engine, migrate_async(quiet=True)))
    print(_("已从 {file} 恢复数据库。请确认密钥文件与备份时的一致，然后启动网站。").format(file=source))


def cli_locale(environ: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """The language of the user's shell (LC_ALL, LC_MESSAGES, LANG, as gettext reads them);
    Chinese when none names a language the app speaks (C, POSIX, C.UTF-8, unset)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := environ.get(name):
            tag = value.split(".")[0].split("@")[0]
            # Babel reads "C" as en_US_POSIX: here it means no language was chosen.
            return i18n.DEFAULT_LOCALE if tag in ("C", "POSIX", "") else i18n.normalize(tag) or i18n.DEFAULT_LOCALE
    return i18n.DEFAULT_LOCALE


def main(argv: list[str] | None = None) -> None:
    i18n.activate(cli_locale())
    parser = argparse.ArgumentParser(prog="yishi", description=_("议事 — 民生微事议事与群众勾选平台"))
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help=_("启动网站（启动前自动迁移数据库）"))
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--demo", action="store_true", help=_("启动前载入演示数据"))
    p.add_argument("--workers", type=int, help=_("工作进程数（默认 1；多于 1 个需要 PostgreSQL）"))
    p.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help=_("迁移数据库到最新结构")).set_defaults(func=cmd_migrate)
    sub.add_parser("demo", help=_("载入演示数据（可重复运行）")).set_defaults(func=cmd_demo)

    p = sub.add_parser("create-user", help=_("创建账号（首个管理员用 --role admin）"))
    p.add_argument("username")
    p.add_argument("--role", default="admin",
                   choices=["admin", "district_reviewer", "street_staff", "convener", "member", "collector"])
    p.add_argument("--name")
    p.add_argument("--password", help=_("不填则从 YISHI_NEW_PASSWORD 或提示输入读取"))
    p.add_argument("--district", type=int)
    p.add_argument("--town", type=int)
    p.add_argument("--community", type=int)
    p.set_defaults(func=cmd_create_user)

    p = sub.add_parser("export", help=_("导出文件"))
    exp = p.add_subparsers(dest="what", required=True)
    q = exp.add_parser("intent-list", help=_("导出意愿清单 PDF"))
    q.add_argument("--round", type=int, required=True)
    q.add_argument("--output")
    q.set_defaults(func=cmd_export)

    for what, help_ in (("round.pb", _("导出批次为 Pabulib .pb 文件")), ("results.csv", _("导出勾选结果 CSV")),
                        ("results.xlsx", _("导出勾选结果 Excel")), ("ballots.csv", _("导出匿名选票 CSV")),
                        ("ballots.xlsx", _("导出匿名选票 Excel"))):
        q = exp.add_parser(what, help=help_)
        q.add_argument("--round", type=int, required=True)
        q.add_argument("--output")
        q.set_defaults(func=cmd_export_round, what=what)

    p = sub.add_parser("tally", help=_("按规则计算 .pb 文件的结果，输出 JSON"))
    p.add_argument("file")
    p.add_argument("--rule", choices=["greedy", "mes"], default="greedy")
    p.set_defaults(func=cmd_tally)

    p = sub.add_parser("import-pb", help=_("把 Pabulib .pb 文件导入为一个批次（含选票）"))
    p.add_argument("file")
    p.add_argument("--town", type=int, required=True)
    p.add_argument("--community", type=int, help=_("选票计入的社区（默认该镇街的第一个社区）"))
    p.add_argument("--title")
    p.set_defaults(func=cmd_import_pb)

    p = sub.add_parser("audit", help=_("审计日志"))
    aud = p.add_subparsers(dest="what", required=True)
    aud.add_parser("verify", help=_("校验审计日志的哈希链，指出第一条被改动或删除的记录")).set_defaults(
        func=cmd_audit_verify)

    p = sub.add_parser("backup", help=_("把整个数据库备份到一个文件（网站运行时也可以）"))
    p.add_argument("file")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help=_("用备份文件替换当前数据库（先停止网站）"))
    p.add_argument("file")
    p.add_argument("--yes", action="store_true", help=_("确认替换当前数据库中的全部数据"))
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("purge", help=_("清除办结满保存期限的居民建议中的姓名和电话（每日运行）"))
    p.add_argument("--days", type=int, help=_("保存天数（默认为建议的保存期限 180 天）"))
    p.set_defaults(func=cmd_purge)

    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
