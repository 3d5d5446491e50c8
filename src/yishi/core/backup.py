"""`yishi backup FILE` and `yishi restore FILE`: the whole database in one file, and back.

SQLite: the online backup API (sqlite3.Connection.backup) copies a consistent snapshot page by
page while the server goes on answering; the file is itself a SQLite database. PostgreSQL:
pg_dump's custom format, read back by pg_restore; both must be at least the server's major
version (an older pg_dump refuses a newer server, and a dump it made anyway might not restore).

What the database file does not hold, and must travel with it: the secret key (it signs sessions
and encrypts residents' phone numbers: without it they cannot be read back) and the data
folder's uploaded photos. See the README, "备份与恢复"."""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

from yishi.core.errors import DomainError
from yishi.core.i18n import _

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


def _sqlite_path(url: str) -> Path:
    return Path(unquote(url[len("sqlite:///"):]))


def _pg_args(url: str) -> tuple[list[str], dict[str, str], str]:
    """Connection options for pg_dump / pg_restore, the environment (the password goes in
    PGPASSWORD, never on the command line where `ps` shows it), and the database name."""
    p = urlparse(url)
    database = (p.path or "/").lstrip("/") or "postgres"
    args = ["--host", p.hostname or "127.0.0.1", "--port", str(p.port or 5432),
            "--username", unquote(p.username or "postgres")]
    env = {**os.environ}
    if p.password:
        env["PGPASSWORD"] = unquote(p.password)
    return args, env, database


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise DomainError(_("找不到 {tool}。请安装与数据库服务器同一大版本的 PostgreSQL 客户端"
                            "（Debian：apt-get install postgresql-client）。").format(tool=name))
    return path


def _major(version_text: str) -> int:
    """15 from "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"; 0 when unreadable."""
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", version_text)
    return int(match.group(1)) if match else 0


def check_pg_tool(name: str, server_version_num: int) -> str:
    """The tool's path, if its major version is at least the server's (server_version_num is
    PostgreSQL's number, e.g. 150020 for 15.20)."""
    path = _tool(name)
    out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    tool_major, server_major = _major(out), server_version_num // 10000
    if tool_major < server_major:
        raise DomainError(
            _("{tool} 的版本（{mine}）低于数据库服务器（{server}），请安装 PostgreSQL {server} 或更新的客户端。")
            .format(tool=name, mine=tool_major, server=server_major))
    return path


def backup_sqlite(url: str, dest: Path) -> None:
    source = _sqlite_path(url)
    if not source.exists():
        raise DomainError(_("数据库文件不存在：{path}").format(path=source))
    partial = dest.with_name(dest.name + ".part")
    src = sqlite3.connect(source)
    try:
        out = sqlite3.connect(partial)
        try:
            src.backup(out)
        finally:
            out.close()
    finally:
        src.close()
    partial.replace(dest)  # a backup file is whole or absent, never half written


def backup_pg(url: str, dest: Path, server_version_num: int) -> None:
    pg_dump = check_pg_tool("pg_dump", server_version_num)
    args, env, database = _pg_args(url)
    partial = dest.with_name(dest.name + ".part")
    done = subprocess.run([pg_dump, *args, "--format=custom", "--no-owner", "--file", str(partial), database],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise DomainError(_("pg_dump 失败：{why}").format(why=done.stderr.strip()))
    partial.replace(dest)


def kind_of(path: Path) -> str:
    """"sqlite" or "postgres" by the file's first bytes; refuses anything else."""
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except OSError as exc:
        raise DomainError(_("无法读取备份文件 {path}：{why}").format(path=path, why=exc.strerror)) from exc
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgres"
    raise DomainError(
        _("{path} 不是 yishi 的备份文件（既不是 SQLite 数据库，也不是 pg_dump 的备份）。").format(path=path))


def restore_sqlite(url: str, source: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if src.execute("SELECT count(*) FROM sqlite_master WHERE name = 'audit_entry'").fetchone()[0] != 1:
            raise DomainError(_("{path} 是 SQLite 数据库，但不是 yishi 的（没有审计日志表）。").format(path=source))
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        out = sqlite3.connect(target)
        try:
            # Through the live file's own connection: its WAL is taken along, nothing is left stale.
            src.backup(out)
        finally:
            out.close()
    finally:
        src.close()


def restore_pg(url: str, source: Path, server_version_num: int) -> None:
    pg_restore = check_pg_tool("pg_restore", server_version_num)
    args, env, database = _pg_args(url)
    # --clean --if-exists: what the database holds now is dropped first, so restoring over a
    # running installation's database (stopped server) and into an empty one both work. One
    # transaction: a failed restore leaves the database as it was.
    done = subprocess.run([pg_restore, *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                           "--exit-on-error", "--dbname", database, str(source)],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise DomainError(_("pg_restore 失败，数据库未改动：{why}").format(why=done.stderr.strip()))
