"""Settings in one typed place, read from YISHI_* environment variables: once, by the `yishi`
command or create_app, and handed down from there."""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str
    host: str = "127.0.0.1"
    port: int = 8000
    secure_cookies: bool = False
    # argon2id cost; tests lower it, production keeps the library's defaults.
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    reload_templates: bool = False
    # Where the rate limits keep their counts: "" for the database, or a redis:// (Valkey too) URL.
    store_url: str = ""
    # Per (client address, username): this many wrong passwords within the window block the pair
    # until the first of them leaves it.
    login_attempts: int = 5
    login_window_seconds: int = 300
    # Per username, from any address: after this many failures in a row each further attempt waits,
    # from the first delay doubling up to the longest (core.limits.GrowingDelay).
    account_free_failures: int = 5
    account_first_delay: int = 15
    account_max_delay: int = 900
    templates_dir: Path = field(default=PROJECT_ROOT / "templates")
    static_dir: Path = field(default=PROJECT_ROOT / "static")

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))


def _secret_key(data_dir: Path) -> str:
    """The key kept in the data folder, generated on first run."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def read_settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings as the environment gives them, touching no disk: `secret_key` is empty
    unless YISHI_SECRET_KEY is set (load_settings finds or makes the key file)."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("YISHI_DATA_DIR", PROJECT_ROOT / "data")).resolve()
    url = env.get("YISHI_DATABASE_URL") or f"sqlite:///{data_dir / 'yishi.sqlite3'}"
    return Settings(
        data_dir=data_dir,
        database_url=url,
        secret_key=env.get("YISHI_SECRET_KEY", ""),
        host=env.get("YISHI_HOST", "127.0.0.1"),
        port=int(env.get("YISHI_PORT", "8000")),
        secure_cookies=env.get("YISHI_SECURE_COOKIES", "0") in ("1", "true", "yes"),
        argon2_time_cost=int(env.get("YISHI_ARGON2_TIME_COST", "3")),
        argon2_memory_cost=int(env.get("YISHI_ARGON2_MEMORY_COST", "65536")),
        reload_templates=env.get("YISHI_RELOAD_TEMPLATES", "0") in ("1", "true", "yes"),
        store_url=env.get("YISHI_STORE_URL", ""),
    )


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings for running yishi, read once by the `yishi` command (or create_app when
    given none): the data folder is made, and the secret key generated there on first run."""
    settings = read_settings(env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.secret_key:
        return settings
    return replace(settings, secret_key=_secret_key(settings.data_dir))
