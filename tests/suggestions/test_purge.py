"""`yishi purge`, the purge on its own (`yishi periodic` runs it with the rest)."""
import os
import subprocess
import sys

from tests.conftest import ROOT


def _run(*argv: str, lang: str = "C.UTF-8") -> subprocess.CompletedProcess:
    # The command speaks the shell's language: Chinese unless the shell names another one.
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")} | {"LANG": lang}
    return subprocess.run([sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


async def test_purge_command_reports_what_it_cleared():
    for argv in (("-m", "yishi.cli", "purge"), ("-m", "yishi.cli", "purge", "--days", "180")):
        done = _run(*argv)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "已清除 0 条建议中的居民个人信息(办结满 180 天)。"


async def test_purge_command_speaks_english_in_an_english_shell():
    done = _run("-m", "yishi.cli", "purge", "--days", "30", lang="en_GB.UTF-8")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Residents' personal data purged from 0 suggestion(s) closed more than 30 days ago."


async def test_purge_negative_days_refused():
    done = _run("-m", "yishi.cli", "purge", "--days", "-1")
    assert done.returncode == 1
    assert done.stderr.strip() == "--days 不能为负数。"
