"""The `yishi` command, run as a user runs it: a separate process on the test database."""
import os
import re
import subprocess
import sys

from yishi.accounts.enums import Role
from yishi.accounts.tables import User
from yishi.ballots import casting as ballots
from yishi.ballots import lifecycle
from yishi.places.tables import District
from yishi.wishlists import services as wishlists
from yishi.wishlists.tables import Round
from tests import factories as f
from tests.conftest import ROOT
from tests.meetings import setup


def yishi(*args: str) -> subprocess.CompletedProcess:
    # os.environ holds the test database's YISHI_DATABASE_URL, data folder and cheap argon2.
    return subprocess.run([sys.executable, "-m", "yishi.cli", *args], cwd=ROOT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=120)


def _pdf_text(path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", out)


async def test_cli_demo_twice_second_run_skips():
    first = yishi("demo")
    assert first.returncode == 0, first.stderr
    assert "演示数据已载入" in first.stdout
    rounds_after_first = await Round.count()
    users_after_first = await User.count()

    second = yishi("demo")
    assert second.returncode == 0, second.stderr
    assert "演示数据已存在，跳过。" in second.stdout
    assert "演示数据已载入" not in second.stdout
    assert await District.count() == 1
    assert await Round.count() == rounds_after_first
    assert await User.count() == users_after_first


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
