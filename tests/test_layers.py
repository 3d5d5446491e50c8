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
