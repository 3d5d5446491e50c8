"""Settings are read once and importing the app's modules touches no disk."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from yishi.config import SettingError, load_settings, read_settings

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


def test_public_url_is_kept_without_trailing_slash_and_https_makes_cookies_secure():
    settings = read_settings({"YISHI_PUBLIC_URL": " https://yishi.example.gov.cn/ "})
    assert (settings.public_url, settings.secure_cookies) == ("https://yishi.example.gov.cn", True)
    assert read_settings({"YISHI_PUBLIC_URL": "http://10.1.2.3:8000"}).secure_cookies is False
    assert read_settings({}).public_url == "" and read_settings({}).secure_cookies is False
    # Said outright, YISHI_SECURE_COOKIES wins either way.
    assert read_settings({"YISHI_PUBLIC_URL": "https://a.example", "YISHI_SECURE_COOKIES": "0"}).secure_cookies is False
    assert read_settings({"YISHI_SECURE_COOKIES": "1"}).secure_cookies is True


@pytest.mark.parametrize("value", ["yishi.example.gov.cn", "ftp://yishi.example.gov.cn", "https://", "https:///v"])
def test_public_url_that_is_no_address_is_refused_in_chinese(value):
    with pytest.raises(SettingError) as refused:
        read_settings({"YISHI_PUBLIC_URL": value})
    assert str(refused.value) == f"YISHI_PUBLIC_URL 应是完整网址，如 https://yishi.example.gov.cn，而不是“{value}”。"


def test_trusted_proxies_are_addresses_and_ranges():
    settings = read_settings({"YISHI_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8 ::1"})
    assert [str(n) for n in settings.trusted_proxies] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    assert read_settings({}).trusted_proxies == ()
    with pytest.raises(SettingError, match="YISHI_TRUSTED_PROXIES 中的“nginx”不是 IP 地址或网段"):
        read_settings({"YISHI_TRUSTED_PROXIES": "10.0.0.1 nginx"})


def test_yishi_command_names_a_bad_setting_without_a_traceback(tmp_path):
    env = {**os.environ, "YISHI_DATA_DIR": str(tmp_path), "YISHI_TRUSTED_PROXIES": "nginx"}
    done = subprocess.run([sys.executable, "-m", "yishi.cli", "migrate"], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip() == "YISHI_TRUSTED_PROXIES 中的“nginx”不是 IP 地址或网段（如 10.0.0.0/8）。"
