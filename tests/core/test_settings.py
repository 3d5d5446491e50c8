"""Settings are read once and importing the app's modules touches no disk."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from yishi.config import load_settings, read_settings

pytestmark = pytest.mark.pure  # no database: the per-test clean-up is skipped

ROOT = Path(__file__).resolve().parents[2]


def test_importing_every_table_touches_no_disk(tmp_path):
    missing = tmp_path / "no-data-yet"
    code = (
        "import importlib, importlib.util, pkgutil, yishi\n"
        "for m in pkgutil.iter_modules(yishi.__path__):\n"
        "    if m.ispkg and importlib.util.find_spec(f'yishi.{m.name}.tables'):\n"
        "        importlib.import_module(f'yishi.{m.name}.tables')\n"
        "import yishi.piccolo_conf, yishi.app, yishi.cli\n"
        "from piccolo.conf.apps import Finder\n"
        "assert len(Finder().get_table_classes()) > 20\n"
        "from yishi.config import read_settings\n"
        "read_settings()\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("YISHI_SECRET_KEY", "YISHI_DATABASE_URL")}
    env["YISHI_DATA_DIR"] = str(missing)
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)
    assert not missing.exists()


def test_read_settings_touches_no_disk(tmp_path):
    settings = read_settings({"YISHI_DATA_DIR": str(tmp_path / "data")})
    assert settings.data_dir == tmp_path / "data" and settings.secret_key == ""
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'yishi.sqlite3'}"
    assert not (tmp_path / "data").exists()


def test_load_settings_makes_the_folder_and_keeps_one_key(tmp_path):
    env = {"YISHI_DATA_DIR": str(tmp_path / "data")}
    first = load_settings(env)
    assert (tmp_path / "data" / "secret_key").read_text() == first.secret_key and len(first.secret_key) > 40
    assert load_settings(env).secret_key == first.secret_key
    assert load_settings({**env, "YISHI_SECRET_KEY": "from-env"}).secret_key == "from-env"


@pytest.mark.parametrize("url", ["postgresql://u@h:5433/db", "sqlite:////srv/yishi/x.sqlite3"])
def test_read_settings_database_url_from_env(tmp_path, url):
    assert read_settings({"YISHI_DATA_DIR": str(tmp_path), "YISHI_DATABASE_URL": url}).database_url == url
