"""Settings are read once, every one from its variable, bad values refused naming it; importing
the app's modules touches no disk."""
import ipaddress
import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

from yishi.config import SettingError, Settings, load_settings, read_settings, variable

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
    assert load_settings({**env, "YISHI_SECRET_KEY": "k" * 32}).secret_key == "k" * 32


def test_a_short_key_file_is_refused_naming_it(tmp_path):
    (tmp_path / "secret_key").write_text("123456\n")
    with pytest.raises(SettingError) as refused:
        load_settings({"YISHI_DATA_DIR": str(tmp_path)})
    path = tmp_path / "secret_key"
    assert str(refused.value).startswith(f"密钥文件 {path} 里的密钥太短（6 个字符）：至少要 32 个随机字符。")


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


# One value for every setting, as an operator writes it, and what yishi makes of it.
EVERY_SETTING = {
    "data_dir": ("{tmp}/data", lambda tmp: tmp / "data"),
    "database_url": ("postgresql://yishi@db.example:5433/yishi", "postgresql://yishi@db.example:5433/yishi"),
    "secret_key": ("a-key-from-the-credentials-file-0123456789", "a-key-from-the-credentials-file-0123456789"),
    "host": ("0.0.0.0", "0.0.0.0"),
    "port": ("8080", 8080),
    "secure_cookies": ("yes", True),
    "argon2_time_cost": ("4", 4),
    "argon2_memory_cost": ("131072", 131072),
    "reload_templates": ("on", True),
    "store_url": ("redis://127.0.0.1:6379/2", "redis://127.0.0.1:6379/2"),
    "login_attempts": ("3", 3),
    "login_window_seconds": ("600", 600),
    "account_free_failures": ("4", 4),
    "account_first_delay": ("30", 30),
    "account_max_delay": ("3600", 3600),
    "public_url": ("https://yishi.example.gov.cn/", "https://yishi.example.gov.cn"),
    "trusted_proxies": ("10.0.0.0/8", (ipaddress.ip_network("10.0.0.0/8"),)),
    "templates_dir": ("{tmp}", lambda tmp: tmp),
    "static_dir": ("{tmp}", lambda tmp: tmp),
}


def test_every_setting_is_set_by_its_variable(tmp_path):
    assert set(EVERY_SETTING) == {f.name for f in fields(Settings)}  # a new setting needs a line here
    env = {variable(name): text.format(tmp=tmp_path) for name, (text, _want) in EVERY_SETTING.items()}
    settings = read_settings(env)
    for name, (_text, want) in EVERY_SETTING.items():
        assert getattr(settings, name) == (want(tmp_path) if callable(want) else want), name
    # Nothing set: the defaults, the login limits among them.
    defaults = read_settings({})
    assert (defaults.login_attempts, defaults.login_window_seconds, defaults.account_free_failures,
            defaults.account_first_delay, defaults.account_max_delay) == (5, 300, 5, 15, 900)


def test_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Settings (environment variables)")[1].split("\n\n")[2]
    documented = [line.split("`")[1] for line in table.splitlines()[2:]]
    assert sorted(documented) == sorted(variable(f.name) for f in fields(Settings))
    for line in table.splitlines()[2:]:
        assert len([cell for cell in line.split("|")[1:-1] if cell.strip()]) == 4, line  # name, type, default, meaning


@pytest.mark.parametrize(("name", "value", "message"), [
    ("YISHI_PORT", "80a", "YISHI_PORT 应是 1 到 65535 之间的整数，而不是“80a”。"),
    ("YISHI_PORT", "70000", "YISHI_PORT 应是 1 到 65535 之间的整数，而不是“70000”。"),
    ("YISHI_LOGIN_ATTEMPTS", "0", "YISHI_LOGIN_ATTEMPTS 应是不小于 1 的整数，而不是“0”。"),
    ("YISHI_LOGIN_WINDOW_SECONDS", "5min", "YISHI_LOGIN_WINDOW_SECONDS 应是不小于 1 的整数，而不是“5min”。"),
    ("YISHI_ARGON2_MEMORY_COST", "16", "YISHI_ARGON2_MEMORY_COST 应是不小于 32 的整数，而不是“16”。"),
    ("YISHI_SECURE_COOKIES", "sometimes",
     "YISHI_SECURE_COOKIES 应是 1 或 0（也可写 true/false、yes/no），而不是“sometimes”。"),
    ("YISHI_RELOAD_TEMPLATES", "2", "YISHI_RELOAD_TEMPLATES 应是 1 或 0（也可写 true/false、yes/no），而不是“2”。"),
    ("YISHI_DATABASE_URL", "mysql://root:pw@h/db",
     "YISHI_DATABASE_URL 应以 sqlite:/// 或 postgresql:// 开头（不支持“mysql”）。"),
    ("YISHI_STORE_URL", "memcached://h",
     "YISHI_STORE_URL 应以 redis://、rediss:// 或 unix:// 开头（不支持“memcached”）。"),
    ("YISHI_TEMPLATES_DIR", "/no/such/folder", "YISHI_TEMPLATES_DIR 应是一个已有的文件夹，而“/no/such/folder”不是。"),
    ("YISHI_ACCOUNT_MAX_DELAY", "10", "YISHI_ACCOUNT_MAX_DELAY（10）不能小于 YISHI_ACCOUNT_FIRST_DELAY（15）。"),
    ("YISHI_SECRET_KEY", "secret", "YISHI_SECRET_KEY 太短（6 个字符）：至少要 32 个随机字符。"
     "可以用 python3 -c 'import secrets; print(secrets.token_urlsafe(48))' 生成一个。"),
])
def test_a_bad_value_is_refused_naming_its_variable(name, value, message):
    with pytest.raises(SettingError) as refused:
        read_settings({name: value})
    assert str(refused.value) == message


def test_an_empty_variable_counts_as_unset():
    assert read_settings({"YISHI_PORT": "", "YISHI_SECURE_COOKIES": " "}) == read_settings({})


def test_a_data_folder_that_cannot_be_made_is_refused_naming_the_variable(tmp_path):
    (tmp_path / "taken").write_text("a file, not a folder")
    with pytest.raises(SettingError, match=r"^YISHI_DATA_DIR（.*taken）不能用作数据文件夹："):
        load_settings({"YISHI_DATA_DIR": str(tmp_path / "taken")})


@pytest.mark.parametrize("command", [["serve"], ["migrate"], ["backup", "x.backup"]])
def test_yishi_refuses_to_start_with_a_bad_login_limit(tmp_path, command):
    env = {**os.environ, "YISHI_DATA_DIR": str(tmp_path), "YISHI_LOGIN_ATTEMPTS": "five", "LANG": "C.UTF-8"}
    env.pop("YISHI_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "yishi.cli", *command], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.strip() == "YISHI_LOGIN_ATTEMPTS 应是不小于 1 的整数，而不是“five”。"
    assert list(tmp_path.iterdir()) == []  # refused before anything was made


def test_yishi_names_a_bad_setting_in_english_under_an_english_shell(tmp_path):
    env = {**os.environ, "YISHI_DATA_DIR": str(tmp_path), "YISHI_PORT": "http", "LANG": "en_GB.UTF-8",
           "LC_ALL": "", "LC_MESSAGES": ""}
    done = subprocess.run([sys.executable, "-m", "yishi.cli", "migrate"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip() == "YISHI_PORT must be a whole number from 1 to 65535, not “http”."
