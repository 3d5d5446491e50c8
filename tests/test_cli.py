"""The `yishi` command, run as a user runs it: a separate process on the test database. (`yishi demo`
is tested with what the demo shows, in tests/test_demo.py.)"""
import asyncio
import os
import re
import sqlite3
import subprocess
import sys
import uuid

import asyncpg
import pytest

from tests import factories as f
from tests.conftest import ROOT, TEST_DB
from tests.meetings import setup
from yishi.accounts.enums import Role
from yishi.accounts.tables import User
from yishi.ballots import casting as ballots
from yishi.ballots import lifecycle
from yishi.core.tables import AuditEntry
from yishi.wishlists import services as wishlists


def yishi(*args: str) -> subprocess.CompletedProcess:
    # os.environ holds the test database's YISHI_DATABASE_URL, data folder and cheap argon2.
    return subprocess.run([sys.executable, "-m", "yishi.cli", *args], cwd=ROOT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=120)


def _pdf_text(path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", out)


async def test_cli_export_intent_list_writes_pdf(tmp_path):
    places = await f.make_places()
    r = await f.make_round(places, items=2, max_ticks=0, title="2026年首批次")
    codes = await f.open_round(r, codes_per_community=1)
    ids = await f.item_ids(r.id)
    await ballots.cast_ballot(codes[0], ids)
    await lifecycle.close_voting(await wishlists.get_round(r.id), actor=None)
    await setup.decide_through_meeting(await wishlists.get_round(r.id), ids[:1], "同意实施项目1。")
    output = tmp_path / "意愿清单.pdf"

    result = yishi("export", "intent-list", "--round", str(r.id), "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert f"已导出 {output}" in result.stdout
    assert output.read_bytes().startswith(b"%PDF")
    text = _pdf_text(output)
    assert "民生微事意愿清单" in text
    assert r.town_name in text
    assert "项目1" in text


async def test_cli_export_before_decision_fails_in_chinese(tmp_path):
    places = await f.make_places()
    r = await f.make_round(places, items=1)
    output = tmp_path / "x.pdf"
    result = yishi("export", "intent-list", "--round", str(r.id), "--output", str(output))
    assert result.returncode == 1
    assert result.stderr.strip() == "本批次尚未形成议事决定，还不能导出意愿清单。"
    assert not output.exists()


async def test_cli_create_user_short_password_fails_in_chinese():
    result = yishi("create-user", "zhang", "--password", "short")
    assert result.returncode == 1
    assert result.stderr.strip() == "密码至少需要 8 个字符。"
    assert await User.count() == 0


async def test_cli_create_user_reviewer_without_district_fails_in_chinese():
    result = yishi("create-user", "shenhe", "--role", "district_reviewer", "--password", "long-enough-1")
    assert result.returncode == 1
    assert result.stderr.strip() == "区级审核人员需要指定所属区。"
    assert await User.count() == 0


async def test_cli_create_user_admin():
    result = yishi("create-user", "admin", "--name", "系统管理员", "--password", "long-enough-1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "已创建用户 admin(系统管理员)。"
    user = await User.objects().where(User.username == "admin").first()
    assert (user.role, user.display_name) == (Role.admin.value, "系统管理员")


def test_cli_serve_several_workers_on_sqlite_refused_in_chinese(tmp_path):
    env = {**os.environ, "YISHI_DATABASE_URL": f"sqlite:///{tmp_path / 'one.sqlite3'}"}
    result = subprocess.run([sys.executable, "-m", "yishi.cli", "serve", "--workers", "2"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip() == ("多个工作进程（--workers）需要 PostgreSQL 数据库（设置 YISHI_DATABASE_URL）；"
                                     "SQLite 只用一个进程。")
    assert not (tmp_path / "one.sqlite3").exists()  # refused before anything was started or made


async def _restored(url: str) -> tuple[list[str], int]:
    """Usernames and audit entries of the database at `url`, read with its own driver."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url[len("sqlite:///"):])
        try:
            names = [r[0] for r in conn.execute("SELECT username FROM yishi_user ORDER BY username")]
            return names, conn.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
        finally:
            conn.close()
    conn = await asyncpg.connect(url)
    try:
        names = [r[0] for r in await conn.fetch("SELECT username FROM yishi_user ORDER BY username")]
        return names, await conn.fetchval("SELECT count(*) FROM audit_entry")
    finally:
        await conn.close()


@pytest.fixture
def other_database(tmp_path):
    """The URL of an empty database of the test's kind, beside the test database."""
    if TEST_DB != "postgres":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"yishi_restore_{uuid.uuid4().hex[:8]}"
    admin = os.environ["YISHI_DATABASE_URL"]

    async def admin_sql(sql: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{admin.rsplit('/', 1)[0]}/{name}"
    finally:
        asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def yishi_on(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "yishi.cli", *args], cwd=ROOT,
                          env={**os.environ, "YISHI_DATABASE_URL": url}, capture_output=True, text=True, timeout=300)


async def test_cli_backup_then_restore_round_trip(tmp_path, other_database):
    places = await f.make_places()
    await f.make_user(Role.admin, username="boss")
    await f.make_user(Role.street_staff, places, username="dawan_staff")
    entries = await AuditEntry.count()
    backup = tmp_path / "yishi.backup"
    result = yishi("backup", str(backup))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"已备份到 {backup}（")
    assert "secret_key" in result.stdout  # the reminder of what travels with it

    refused = yishi_on(other_database, "restore", str(backup))
    assert refused.returncode == 1 and "请先停止网站服务，再加 --yes 运行。" in refused.stderr

    restored = yishi_on(other_database, "restore", str(backup), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert await _restored(other_database) == (["boss", "dawan_staff"], entries)
    verify = yishi_on(other_database, "audit", "verify")
    assert verify.returncode == 0 and verify.stdout.startswith(f"审计日志完好：{entries} 条记录"), verify.stdout

    # Restoring over a database that changed since replaces it whole.
    await User.delete().where(User.username == "dawan_staff")
    second = tmp_path / "second.backup"
    assert yishi("backup", str(second)).returncode == 0
    assert yishi_on(other_database, "restore", str(second), "--yes").returncode == 0
    assert (await _restored(other_database))[0] == ["boss"]


def test_cli_restore_refuses_what_is_not_a_backup(tmp_path, other_database):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")
    result = yishi_on(other_database, "restore", str(junk), "--yes")
    assert result.returncode == 1
    assert result.stderr.strip() == f"{junk} 不是 yishi 的备份文件（既不是 SQLite 数据库，也不是 pg_dump 的备份）。"


def test_pg_tool_older_than_the_server_refused():
    from yishi.core import backup
    from yishi.core.errors import DomainError

    assert backup._major("pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)") == 15
    with pytest.raises(DomainError) as refused:
        backup.check_pg_tool("pg_dump", 990001)  # a server of major version 99
    assert "低于数据库服务器（99）" in refused.value.message


@pytest.mark.pure
@pytest.mark.parametrize(("environ", "locale"), [
    ({}, "zh_CN"), ({"LANG": "C.UTF-8"}, "zh_CN"), ({"LANG": "POSIX"}, "zh_CN"), ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"LANG": "zh_CN.UTF-8"}, "zh_CN"), ({"LANG": "fr_FR.UTF-8"}, "zh_CN"),
    ({"LANG": "zh_CN.UTF-8", "LC_ALL": "en_US.UTF-8"}, "en"),
    ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_TW"}, "zh_CN"),
])
def test_cli_speaks_the_shell_language_chinese_by_default(environ, locale):
    from yishi.cli import cli_locale

    assert cli_locale(environ) == locale


def test_cli_help_in_english_under_an_english_lang():
    result = subprocess.run([sys.executable, "-m", "yishi.cli", "--help"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "LANG": "en_GB.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""})
    assert "Start the web server" in result.stdout and "启动网站" not in result.stdout
