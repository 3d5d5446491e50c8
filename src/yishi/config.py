"""Settings in one typed place, read from YISHI_* environment variables: once, by the `yishi`
command or create_app, and handed down from there."""
from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from yishi.paths import PROJECT_ROOT


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
    # The address residents reach the site at (https://yishi.example.gov.cn): every QR code and
    # printed link uses it, never the Host of the request that printed it. Empty: not set.
    public_url: str = ""
    # Reverse proxies whose X-Forwarded-For is believed (web.clients.client_address).
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
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


def N_(message: str) -> str:
    """Marks a message for the catalog (Babel's N_): config imports nothing of the app, so the
    `yishi` command translates it when it shows it."""
    return message


class SettingError(ValueError):
    """A YISHI_* variable that cannot be used; the message names it (template and values, so
    the command can show it in the user's language; str() is the Chinese)."""

    def __init__(self, template: str, **values: str) -> None:
        super().__init__(template.format(**values))
        self.template, self.values = template, values


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes")


def _public_url(value: str) -> str:
    url = value.strip().rstrip("/")
    if url and (not url.startswith(("http://", "https://")) or len(url.split("/")) < 3 or not url.split("/")[2]):
        raise SettingError(N_("YISHI_PUBLIC_URL 应是完整网址，如 https://yishi.example.gov.cn，而不是“{value}”。"),
                           value=value)
    return url


def _networks(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Addresses and CIDR ranges, separated by commas or spaces."""
    networks = []
    for part in value.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SettingError(N_("YISHI_TRUSTED_PROXIES 中的“{part}”不是 IP 地址或网段（如 10.0.0.0/8）。"),
                               part=part) from None
    return tuple(networks)


def read_settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings as the environment gives them, touching no disk: `secret_key` is empty
    unless YISHI_SECRET_KEY is set (load_settings finds or makes the key file)."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("YISHI_DATA_DIR", PROJECT_ROOT / "data")).resolve()
    url = env.get("YISHI_DATABASE_URL") or f"sqlite:///{data_dir / 'yishi.sqlite3'}"
    public_url = _public_url(env.get("YISHI_PUBLIC_URL", ""))
    return Settings(
        data_dir=data_dir,
        database_url=url,
        secret_key=env.get("YISHI_SECRET_KEY", ""),
        host=env.get("YISHI_HOST", "127.0.0.1"),
        port=int(env.get("YISHI_PORT", "8000")),
        # Secure cookies when set, else when the public address is https.
        secure_cookies=(_flag(env["YISHI_SECURE_COOKIES"]) if env.get("YISHI_SECURE_COOKIES", "").strip()
                        else public_url.startswith("https://")),
        argon2_time_cost=int(env.get("YISHI_ARGON2_TIME_COST", "3")),
        argon2_memory_cost=int(env.get("YISHI_ARGON2_MEMORY_COST", "65536")),
        reload_templates=env.get("YISHI_RELOAD_TEMPLATES", "0") in ("1", "true", "yes"),
        store_url=env.get("YISHI_STORE_URL", ""),
        public_url=public_url,
        trusted_proxies=_networks(env.get("YISHI_TRUSTED_PROXIES", "")),
    )


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings for running yishi, read once by the `yishi` command (or create_app when
    given none): the data folder is made, and the secret key generated there on first run."""
    settings = read_settings(env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.secret_key:
        return settings
    return replace(settings, secret_key=_secret_key(settings.data_dir))
