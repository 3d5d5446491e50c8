"""The purge run (suggestions/purge.py), as cron starts it: `yishi purge` or the module itself."""
import os
import subprocess
import sys

from tests.conftest import ROOT


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *argv], cwd=ROOT, env=dict(os.environ), capture_output=True,
                          text=True, timeout=120)


async def test_purge_command_and_module_report_the_same():
    for argv in (("-m", "yishi.cli", "purge"), ("-m", "yishi.suggestions.purge", "--days", "180")):
        done = _run(*argv)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "已清除 0 条建议中的居民个人信息(办结满 180 天)。"


async def test_purge_negative_days_refused():
    done = _run("-m", "yishi.cli", "purge", "--days", "-1")
    assert done.returncode == 1
    assert done.stderr.strip() == "--days 不能为负数。"
