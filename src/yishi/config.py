"""Settings in one typed place, read from YISHI_* environment variables: once, by the `yishi`
command or create_app, and handed down from there.

Every field of `Settings` is set by the variable YISHI_<FIELD> (all of them in the README's
"Settings" table, which tests/core/test_settings.py holds to this class). msgspec turns the text
into the field's type and checks its bounds; a value that does not fit stops yishi before anything
starts, with a message naming the variable (SettingError). An empty variable counts as unset."""
from __future__ import annotations

import ipaddress
import os
import secrets
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Annotated, Any

import msgspec

from yishi.paths import PROJECT_ROOT

__all__ = ["PROJECT_ROOT", "SettingError", "Settings", "load_settings", "read_settings", "variable"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Port = Annotated[int, msgspec.Meta(ge=1, le=65535)]
AtLeastOne = Annotated[int, msgspec.Meta(ge=1)]
# argon2 needs 8 KiB per lane and argon2-cffi hashes with 4 lanes.
Argon2Memory = Annotated[int, msgspec.Meta(ge=32)]


@dataclass(frozen=True)
class Settings:
    # The SQLite file, the generated secret key and uploaded photos.
    data_dir: Path = PROJECT_ROOT / "data"
    # sqlite:///<path> or postgresql://user:pw@host:5432/db; not set: <data_dir>/yishi.sqlite3.
    database_url: str = ""
    # Signs sessions and CSRF tokens, and residents' phone numbers are encrypted with it. Not set:
    # the key kept in <data_dir>/secret_key, made on first run (load_settings).
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: Port = 8000
    # Not set: on when public_url is https.
    secure_cookies: bool = False
    # argon2id cost; tests lower it, production keeps the library's defaults.
    argon2_time_cost: AtLeastOne = 3
    argon2_memory_cost: Argon2Memory = 65536
    reload_templates: bool = False
    # Where the rate limits keep their counts: "" for the database, or a redis:// (Valkey too) URL.
    store_url: str = ""
    # Per (client address, username): this many wrong passwords within the window block the pair
    # until the first of them leaves it.
    login_attempts: AtLeastOne = 5
    login_window_seconds: AtLeastOne = 300
    # Per username, from any address: after this many failures in a row each further attempt waits,
    # from the first delay doubling up to the longest (core.limits.GrowingDelay).
    account_free_failures: AtLeastOne = 5
    account_first_delay: AtLeastOne = 15
    account_max_delay: AtLeastOne = 900
    # The address residents reach the site at (https://yishi.example.gov.cn): every QR code and
    # printed link uses it, never the Host of the request that printed it. Empty: not set.
    public_url: str = ""
    # Reverse proxies whose X-Forwarded-For is believed (web.clients.client_address).
    trusted_proxies: tuple[Network, ...] = ()
    # The pages and their static files, shipped with the code; a site may point at its own copy.
    templates_dir: Path = field(default=PROJECT_ROOT / "templates")
    static_dir: Path = field(default=PROJECT_ROOT / "static")

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))


def variable(name: str) -> str:
    """The environment variable that sets the field `name`."""
    return f"YISHI_{name.upper()}"


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


def _secret_key(data_dir: Path) -> str:
    """The key kept in the data folder, generated on first run."""
    path = data_dir / "secret_key"
    if path.exists():
        key = path.read_text().strip()
        if len(key) < SECRET_KEY_MIN:
            raise SettingError(N_("密钥文件 {path} 里的密钥太短（{length} 个字符）：至少要 {least} 个随机字符。"
                                  "新装的系统可删除该文件，启动时会自动生成；已有数据的请换成原来的密钥。"),
                               path=str(path), length=str(len(key)), least=str(SECRET_KEY_MIN))
        return key
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


# Words people write for on and off, beyond msgspec's true/false/1/0.
_BOOLEANS = {"yes": "true", "on": "true", "no": "false", "off": "false"}


def _public_url(value: str) -> str:
    url = value.rstrip("/")
    if not url.startswith(("http://", "https://")) or len(url.split("/")) < 3 or not url.split("/")[2]:
        raise SettingError(N_("YISHI_PUBLIC_URL 应是完整网址，如 https://yishi.example.gov.cn，而不是“{value}”。"),
                           value=value)
    return url


SECRET_KEY_MIN = 32


def _secret_key_value(value: str) -> str:
    # The key signs sessions and CSRF tokens and is the root of the phone numbers' keys: a short
    # one ("secret", "123456") can be guessed offline from one signed cookie.
    if len(value) < SECRET_KEY_MIN:
        raise SettingError(N_("YISHI_SECRET_KEY 太短（{length} 个字符）：至少要 {least} 个随机字符。"
                              "可以用 python3 -c 'import secrets; print(secrets.token_urlsafe(48))' 生成一个。"),
                           length=str(len(value)), least=str(SECRET_KEY_MIN))
    return value


def _networks(value: str) -> tuple[Network, ...]:
    """Addresses and CIDR ranges, separated by commas or spaces."""
    networks = []
    for part in value.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SettingError(N_("YISHI_TRUSTED_PROXIES 中的“{part}”不是 IP 地址或网段（如 10.0.0.0/8）。"),
                               part=part) from None
    return tuple(networks)


def _scheme(value: str) -> str:
    return value.partition("://")[0].lower() if "://" in value else ""


def _database_url(value: str) -> str:
    # The URL may hold a password: the message names its scheme only.
    if _scheme(value) not in ("sqlite", "postgres", "postgresql"):
        raise SettingError(N_("YISHI_DATABASE_URL 应以 sqlite:/// 或 postgresql:// 开头（不支持“{scheme}”）。"),
                           scheme=_scheme(value) or value.partition(":")[0][:20])
    return value


def _store_url(value: str) -> str:
    # What redis-py's from_url opens (Valkey speaks the same protocol).
    if _scheme(value) not in ("redis", "rediss", "unix"):
        raise SettingError(N_("YISHI_STORE_URL 应以 redis://、rediss:// 或 unix:// 开头（不支持“{scheme}”）。"),
                           scheme=_scheme(value) or value.partition(":")[0][:20])
    return value


def _folder(name: str) -> Callable[[str], Path]:
    def existing(value: str) -> Path:
        path = Path(value).resolve()
        if not path.is_dir():
            raise SettingError(N_("{name} 应是一个已有的文件夹，而“{value}”不是。"), name=variable(name), value=value)
        return path
    return existing


# Fields whose text is more than a number or a switch: read by these, not by msgspec.
_PARSERS: dict[str, Callable[[str], Any]] = {
    "data_dir": lambda value: Path(value).resolve(),
    "database_url": _database_url,
    "store_url": _store_url,
    "public_url": _public_url,
    "secret_key": _secret_key_value,
    "trusted_proxies": _networks,
    "templates_dir": _folder("templates_dir"),
    "static_dir": _folder("static_dir"),
}


def _refusal(name: str, hint: Any, value: str) -> SettingError:
    """The message for a value msgspec would not take as the field's type, in words of that type."""
    base, *extras = typing.get_args(hint) if typing.get_origin(hint) is Annotated else (hint,)
    meta = next((m for m in extras if isinstance(m, msgspec.Meta)), None)
    values = {"name": variable(name), "value": value}
    if base is bool:
        return SettingError(N_("{name} 应是 1 或 0（也可写 true/false、yes/no），而不是“{value}”。"), **values)
    if meta is not None and meta.le is not None:
        return SettingError(N_("{name} 应是 {low} 到 {high} 之间的整数，而不是“{value}”。"),
                            low=str(meta.ge), high=str(meta.le), **values)
    if meta is not None and meta.ge is not None:
        return SettingError(N_("{name} 应是不小于 {low} 的整数，而不是“{value}”。"), low=str(meta.ge), **values)
    return SettingError(N_("{name} 应是整数，而不是“{value}”。"), **values)


def read_settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings as the environment gives them, touching no disk: `secret_key` is empty
    unless YISHI_SECRET_KEY is set (load_settings finds or makes the key file)."""
    env = os.environ if env is None else env
    hints = typing.get_type_hints(Settings, include_extras=True)
    values: dict[str, Any] = {}
    for f in fields(Settings):
        text = env.get(variable(f.name), "").strip()
        if not text:
            continue
        if f.name in _PARSERS:
            values[f.name] = _PARSERS[f.name](text)
            continue
        hint = hints[f.name]
        try:
            values[f.name] = msgspec.convert(_BOOLEANS.get(text.lower(), text) if hint is bool else text,
                                             hint, strict=False)
        except msgspec.ValidationError:
            raise _refusal(f.name, hint, text) from None
    data_dir = values.setdefault("data_dir", Settings.data_dir)
    values.setdefault("database_url", f"sqlite:///{data_dir / 'yishi.sqlite3'}")
    # Secure cookies when said, else when the public address is https.
    values.setdefault("secure_cookies", values.get("public_url", "").startswith("https://"))
    settings = Settings(**values)
    if settings.account_max_delay < settings.account_first_delay:
        raise SettingError(N_("YISHI_ACCOUNT_MAX_DELAY（{longest}）不能小于 YISHI_ACCOUNT_FIRST_DELAY（{first}）。"),
                           longest=str(settings.account_max_delay), first=str(settings.account_first_delay))
    return settings


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings for running yishi, read once by the `yishi` command (or create_app when
    given none): the data folder is made, and the secret key generated there on first run."""
    settings = read_settings(env)
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        if settings.secret_key:
            return settings
        return replace(settings, secret_key=_secret_key(settings.data_dir))
    except OSError as exc:
        raise SettingError(N_("YISHI_DATA_DIR（{path}）不能用作数据文件夹：{why}"), path=str(settings.data_dir),
                           why=exc.strerror or str(exc)) from None
