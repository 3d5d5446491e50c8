"""The import order of the packages (pyproject.toml, [tool.importlinter]), checked with the suite."""
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_imports_follow_the_layers_without_loops():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_no_function_local_import_without_a_reason():
    ruff = Path(sys.executable).with_name("ruff")
    done = subprocess.run([str(ruff), "check", "--select", "PLC0415", "--output-format", "concise", "src"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    unexplained = [f"{path}:{n}" for path in sorted((ROOT / "src").rglob("*.py"))
                   for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                   if "noqa: PLC0415" in line and not line.split("noqa: PLC0415", 1)[1].strip(" —-:")]
    assert unexplained == []
