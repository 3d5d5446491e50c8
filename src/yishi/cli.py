"""The `yishi` command, one click group: serve, migrate, demo, create-user, export, tally,
import-pb, audit, backup, restore, purge, periodic.

Each command imports what it needs inside its function (noqa PLC0415 — start-up cost): `yishi tally`
reads a file and should not load the web app, the settings' parser, the tables or a database
engine. Help texts are written in Chinese (the catalog's source language) and translated when
shown, into the language of the user's shell (cli_locale)."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from yishi.core import i18n
from yishi.core.i18n import N_, _

EXPORT_FORMATS = ("round.pb", "results.csv", "results.xlsx", "ballots.csv", "ballots.xlsx")
ROLES = ("admin", "district_reviewer", "street_staff", "convener", "member", "collector")


# --- help in the user's language ------------------------------------------------------------

class _TranslatedHelp:
    """`help` and `short_help` hold the Chinese message and give its translation when read: the
    commands are built at import, before main() knows the shell's language."""

    _help: str | None = None
    _short_help: str | None = None

    @property
    def help(self) -> str | None:
        return _(self._help) if self._help else self._help

    @help.setter
    def help(self, value: str | None) -> None:
        self._help = value

    @property
    def short_help(self) -> str | None:
        return _(self._short_help) if self._short_help else self._short_help

    @short_help.setter
    def short_help(self, value: str | None) -> None:
        self._short_help = value


class _WholeShortHelp:
    def get_short_help_str(self, limit: int = 45) -> str:
        """The whole line in the list of commands, wrapped rather than cut off at 45 characters
        (which cut most English lines in half)."""
        return super().get_short_help_str(limit=1000)  # type: ignore[misc]


class Command(_TranslatedHelp, _WholeShortHelp, click.Command):
    pass


class Option(_TranslatedHelp, click.Option):
    pass


class Group(_TranslatedHelp, _WholeShortHelp, click.Group):
    command_class = Command
    group_class = type  # subgroups are Groups too


def option(*names: str, **attrs: Any):
    return click.option(*names, cls=Option, **attrs)


# --- shared by the commands -----------------------------------------------------------------

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


def _on_database(coro_fn, *, migrate: bool = True, settings=None):
    """Runs `coro_fn()` on the configured database, opened and closed around it (migrated first
    unless told not to), turning a DomainError into its message on stderr and exit status 1."""
    from yishi.core import db  # noqa: PLC0415 — start-up cost
    from yishi.core.errors import DomainError  # noqa: PLC0415 — start-up cost

    engine = db.configure((settings or _settings()).database_url)

    async def run():
        await db.start(engine)
        try:
            if migrate:
                await migrate_async(quiet=True)
            return await coro_fn()
        finally:
            await db.stop(engine)

    try:
        return _run(run())
    except DomainError as exc:
        raise SystemExit(exc.message) from None


def _write(output: str | None, exported: tuple[str, str, bytes]) -> None:
    filename, _mime, data = exported
    path = Path(output or filename)
    path.write_bytes(data)
    click.echo(_("已导出 {file}({n} 字节)。").format(file=path, n=f"{len(data):,}"))


def cli_locale(environ: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """The language of the user's shell (LC_ALL, LC_MESSAGES, LANG, as gettext reads them);
    Chinese when none names a language the app speaks (C, POSIX, C.UTF-8, unset)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := environ.get(name):
            tag = value.split(".")[0].split("@")[0]
            # Babel reads "C" as en_US_POSIX: here it means no language was chosen.
            return i18n.DEFAULT_LOCALE if tag in ("C", "POSIX", "") else i18n.normalize(tag) or i18n.DEFAULT_LOCALE
    return i18n.DEFAULT_LOCALE


def uvicorn_options() -> dict:
    """uvicorn's settings for `yishi serve`, shared with bench/bare_app.py so the baseline is
    served the same way. With --workers, uvicorn takes a worker that does not answer its health
    check within the timeout for hung and starts another: 5 s (its default) is less than a worker
    needs to start on a busy machine, where that loops for ever."""
    # proxy_headers off: uvicorn would otherwise take X-Forwarded-For from 127.0.0.1 on its own;
    # which proxies are believed is YISHI_TRUSTED_PROXIES, in one place (web.clients).
    return {"log_level": "warning", "access_log": False, "timeout_worker_healthcheck": 30, "proxy_headers": False}


# --- the commands ---------------------------------------------------------------------------

@click.group(cls=Group, help=N_("议事 — 民生微事议事与群众勾选平台"),
             context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    pass


@cli.command(help=N_("启动网站（启动前自动迁移数据库）"))
@option("--host")
@option("--port", type=int)
@option("--demo", is_flag=True, help=N_("启动前载入演示数据"))
@option("--workers", type=int, help=N_("工作进程数（默认 1；多于 1 个需要 PostgreSQL）"))
def serve(host: str | None, port: int | None, demo: bool, workers: int | None) -> None:
    import uvicorn  # noqa: PLC0415 — start-up cost

    from yishi.app import create_app  # noqa: PLC0415 — start-up cost

    settings = _settings()
    workers = 1 if workers is None else workers
    if workers < 1:
        raise SystemExit(_("--workers 至少为 1。"))
    if workers > 1 and not settings.is_postgres:
        # One SQLite file takes one writer at a time; its engine (core.db) batches the writes of
        # one process. Several processes would queue on the file's lock instead.
        raise SystemExit(_("多个工作进程（--workers）需要 PostgreSQL 数据库（设置 YISHI_DATABASE_URL）；"
                           "SQLite 只用一个进程。"))

    async def prepare() -> None:
        if demo:
            from yishi import demo as demo_data  # noqa: PLC0415 — start-up cost

            await demo_data.build(verbose=True)

    _on_database(prepare, settings=settings)
    host = host or settings.host
    port = port or settings.port
    click.echo(_("议事 yishi 已启动： {url} （数据库：{db}，{n} 个工作进程）").format(
        url=f"http://{host}:{port}/", db=settings.database_url, n=workers))
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, **uvicorn_options())
    else:
        # Each worker process builds its own app from the same environment (the settings, the
        # key file in the data folder); what they must agree on lives in the database.
        uvicorn.run("yishi.app:create_app", factory=True, workers=workers, host=host, port=port,
                    **uvicorn_options())


@cli.command(help=N_("迁移数据库到最新结构"))
def migrate() -> None:
    _on_database(migrate_async, migrate=False)  # Piccolo's report of what it applied
    click.echo(_("数据库已是最新结构。"))


@cli.command(help=N_("载入演示数据（可重复运行）"))
def demo() -> None:
    from yishi import demo as demo_data  # noqa: PLC0415 — start-up cost

    _on_database(lambda: demo_data.build(verbose=True))


def _ask_password() -> str:
    import getpass  # noqa: PLC0415 — start-up cost

    return getpass.getpass(_("密码： "))


@cli.command("create-user", help=N_("创建账号（首个管理员用 --role admin）"))
@click.argument("username")
@option("--role", type=click.Choice(ROLES), default="admin", show_default=True)
@option("--name")
@option("--password", envvar="YISHI_NEW_PASSWORD",
        help=N_("不填则从 YISHI_NEW_PASSWORD 或提示输入读取"))
@option("--district", type=int)
@option("--town", type=int)
@option("--community", type=int)
def create_user(username: str, role: str, name: str | None, password: str | None, district: int | None,
                town: int | None, community: int | None) -> None:
    from yishi.accounts import services  # noqa: PLC0415 — start-up cost
    from yishi.accounts.enums import Role  # noqa: PLC0415 — start-up cost

    settings = _settings()  # a bad setting is named before the password is asked for
    password = password or _ask_password()
    user = _on_database(lambda: services.create_user(
        username=username, password=password, display_name=name or username, role=Role(role),
        town_id=town, community_id=community, district_id=district), settings=settings)
    click.echo(_("已创建用户 {name}({role})。").format(name=user.username, role=Role(role).label))


@cli.group(cls=Group, help=N_("导出文件"))
def export() -> None:
    pass


@export.command("intent-list", help=N_("导出意愿清单 PDF"))
@option("--round", "round_id", type=int, required=True)
@option("--output")
def export_intent_list(round_id: int, output: str | None) -> None:
    from yishi.meetings import exports  # noqa: PLC0415 — start-up cost

    _write(output, _on_database(lambda: exports.intent_list_pdf(round_id), migrate=False))


def _export_round_command(what: str, help_: str) -> None:
    @export.command(what, help=help_)
    @option("--round", "round_id", type=int, required=True)
    @option("--output")
    def export_round(round_id: int, output: str | None) -> None:
        from yishi.ballots import exports  # noqa: PLC0415 — start-up cost

        _write(output, _on_database(lambda: exports.EXPORTS[what](round_id), migrate=False))


for _what, _help in zip(EXPORT_FORMATS, (
        N_("导出批次为 Pabulib .pb 文件"), N_("导出勾选结果 CSV"), N_("导出勾选结果 Excel"),
        N_("导出匿名选票 CSV"), N_("导出匿名选票 Excel")), strict=True):
    _export_round_command(_what, _help)


@cli.command(help=N_("按规则计算 .pb 文件的结果，输出 JSON"))
@click.argument("file")
@option("--rule", type=click.Choice(["greedy", "mes"]), default="greedy", show_default=True)
def tally(file: str, rule: str) -> None:
    """Pure: reads the file, prints the outcome; touches no database."""
    from yishi.ballots import rules  # noqa: PLC0415 — start-up cost

    try:
        election = rules.parse_pb(Path(file))
    except rules.PbFormatError as exc:
        # Only a faulty file needs the messages, and their module loads the tables (2 s).
        from yishi.ballots.imports import pb_message  # noqa: PLC0415 — start-up cost

        raise SystemExit(pb_message(exc)) from None
    except (OSError, ValueError) as exc:
        raise SystemExit(_("无法读取 {file}：{why}").format(file=file, why=exc)) from None
    selected = rules.greedy(election) if rule == "greedy" else rules.mes(election)
    cost = election.cost_of(selected)
    click.echo(json.dumps({"selected": selected, "cost": cost if isinstance(cost, int) else float(cost)},
                          ensure_ascii=False))


@cli.command("import-pb", help=N_("把 Pabulib .pb 文件导入为一个批次（含选票）"))
@click.argument("file")
@option("--town", type=int, required=True)
@option("--community", type=int, help=N_("选票计入的社区（默认该镇街的第一个社区）"))
@option("--title")
def import_pb(file: str, town: int, community: int | None, title: str | None) -> None:
    from yishi.ballots import imports  # noqa: PLC0415 — start-up cost

    try:
        text = Path(file).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SystemExit(_("无法读取 {file}：{why}").format(file=file, why=exc)) from None
    round_id = _on_database(lambda: imports.import_pb(text, town_id=town, community_id=community, title=title or ""))
    click.echo(_("已导入为批次 {id}。").format(id=round_id))


@cli.group(cls=Group, help=N_("审计日志"))
def audit() -> None:
    pass


@audit.command(help=N_("校验审计日志的哈希链，指出第一条被改动或删除的记录"))
def verify() -> None:
    """Walks the audit trail's hash chain; exits 1 naming the first entry that does not match."""
    from yishi.core import audit as trail  # noqa: PLC0415 — start-up cost

    verdict = _on_database(trail.verify, migrate=False)
    if verdict.unsealed:
        click.echo(_("链前有 {n} 条旧记录（启用防篡改链之前写入，未纳入校验）。").format(n=verdict.unsealed))
    if verdict.bad_id is not None:
        why = (_("内容与其哈希不符（被改动过）") if verdict.reason == "content"
               else _("与上一条记录接不上（其前有记录被删除、插入或改动）"))
        click.echo(_("审计日志校验失败：第一条有问题的记录是 #{id}，{why}。此前 {n} 条完好。").format(
            id=verdict.bad_id, why=why, n=verdict.checked))
        raise SystemExit(1)
    head = verdict.head
    click.echo(_("审计日志完好：{n} 条记录，链头 #{id} {hash}").format(
        n=verdict.checked, id=head.entry_id if head else "-", hash=head.hash if head else _("(空)")))


async def _server_version_num() -> int:
    from yishi.core.tables import AuditEntry  # noqa: PLC0415 — start-up cost

    return int((await AuditEntry.raw("SHOW server_version_num").run())[0]["server_version_num"])


@cli.command(help=N_("把整个数据库备份到一个文件（网站运行时也可以）"))
@click.argument("file")
def backup(file: str) -> None:
    """The whole database into FILE, while the server keeps running."""
    from yishi.core import backup as backups  # noqa: PLC0415 — start-up cost
    from yishi.core.errors import DomainError  # noqa: PLC0415 — start-up cost

    settings = _settings()
    dest = Path(file).resolve()
    try:
        if settings.is_postgres:
            backups.backup_pg(settings.database_url, dest,
                              _on_database(_server_version_num, migrate=False, settings=settings))
        else:
            backups.backup_sqlite(settings.database_url, dest)
    except DomainError as exc:
        raise SystemExit(exc.message) from None
    click.echo(_("已备份到 {file}（{n} 字节）。密钥文件 {key} 和 {photos} 需另行备份。").format(
        file=dest, n=f"{dest.stat().st_size:,}", key=settings.data_dir / "secret_key",
        photos=settings.data_dir / "photos"))


@cli.command(help=N_("用备份文件替换当前数据库（先停止网站）"))
@click.argument("file")
@option("--yes", is_flag=True, help=N_("确认替换当前数据库中的全部数据"))
def restore(file: str, yes: bool) -> None:
    """FILE back into the configured database, replacing what it holds (server stopped)."""
    from yishi.core import backup as backups  # noqa: PLC0415 — start-up cost
    from yishi.core.errors import DomainError  # noqa: PLC0415 — start-up cost

    settings = _settings()
    source = Path(file).resolve()
    try:
        kind = backups.kind_of(source)
        if kind != ("postgres" if settings.is_postgres else "sqlite"):
            raise DomainError(
                _("{file} 是 {kind} 的备份，而当前数据库是 {current}（YISHI_DATABASE_URL），不能直接恢复。").format(
                    file=source, kind="PostgreSQL" if kind == "postgres" else "SQLite",
                    current="PostgreSQL" if settings.is_postgres else "SQLite"))
        if not yes:
            raise DomainError(
                _("恢复会用 {file} 替换当前数据库（{db}）中的全部数据。请先停止网站服务，再加 --yes 运行。").format(
                    file=source, db=settings.database_url))
        if settings.is_postgres:
            backups.restore_pg(settings.database_url, source,
                               _on_database(_server_version_num, migrate=False, settings=settings))
        else:
            backups.restore_sqlite(settings.database_url, source)
    except DomainError as exc:
        raise SystemExit(exc.message) from None

    # A backup from an older version gets the newer tables and columns now, not at the next start.
    _on_database(lambda: migrate_async(quiet=True), migrate=False, settings=settings)
    click.echo(_("已从 {file} 恢复数据库。请确认密钥文件与备份时的一致，然后启动网站。").format(file=source))


@cli.command(help=N_("清除办结满保存期限的居民建议中的姓名和电话（yishi periodic 每次都会做）"))
@option("--days", type=int, help=N_("保存天数（默认为建议的保存期限 180 天）"))
def purge(days: int | None) -> None:
    from yishi.suggestions import retention  # noqa: PLC0415 — start-up cost

    days = retention.RETENTION_DAYS if days is None else days
    if days < 0:
        raise SystemExit(_("--days 不能为负数。"))
    n = _on_database(lambda: retention.purge_personal_data(older_than_days=days))
    click.echo(_("已清除 {n} 条建议中的居民个人信息(办结满 {days} 天)。").format(n=n, days=days))


@cli.command(short_help=N_("定时任务：结束到期的勾选批次，清除到期的居民个人信息（每几分钟运行一次）"),
             help=N_("把到时该做的事做一遍：结束已到截止时间的勾选批次并计票，清除办结满保存期限的居民个人信息。"
                     "由 cron 或 systemd 定时器每几分钟运行一次；两次同时运行也只做一遍。"
                     "没有要做的事时不输出任何内容。"))
def periodic() -> None:
    """One pass of what must happen on a schedule; every step is a conditional change in the
    database, so two passes at once do each thing once (tests/test_periodic.py). It does not
    migrate: two migrations at once would race on the schema; `yishi serve` migrates."""
    from yishi import periodic as tasks  # noqa: PLC0415 — start-up cost

    done = _on_database(tasks.run_once, migrate=False)
    # Silent when there was nothing to do: cron mails what a job prints.
    for round_id in done.closed_rounds:
        click.echo(_("批次 {id} 已到截止时间，已结束勾选并计票。").format(id=round_id))
    if done.purged:
        click.echo(_("已清除 {n} 条建议中的居民个人信息(办结满 {days} 天)。").format(
            n=done.purged, days=done.retention_days))


# --- the program ----------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    """`yishi ...`: the shell's language, then the command; a usage error is click's message
    and exit status 2, a refusal its message and status 1; returns when the command succeeds."""
    i18n.activate(cli_locale())
    try:
        cli.main(args=argv, prog_name="yishi", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except click.Abort:
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
