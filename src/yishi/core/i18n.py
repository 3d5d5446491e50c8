"""gettext for the app: Simplified Chinese is the source language, other locales translate it.

The language is per request (or per CLI run, or per export): a context variable that the web layer
sets from the account, the cookie or Accept-Language, and that `language(locale)` sets for a block
(pretix renders its exports the same way). `_()` looks it up on every call, so a message must be
translated when it is shown, not when a module is imported: a message defined at import time is a
`lazy_gettext` (`_l`) string, or a marker (`N_`) translated where it is used.

Catalogs live in `locale/<locale>/LC_MESSAGES/yishi.po`; `make i18n` extracts and updates them and
`make install` compiles the `.mo` files. A `.po` newer than its `.mo` (or without one: a fresh
checkout, a test run) is compiled in memory at first use, so a forgotten compile shows the current
catalog rather than a stale one.
"""
from __future__ import annotations

import contextlib
import functools
import gettext as _gettext
import io
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:
    from babel.support import LazyProxy

from yishi.paths import PROJECT_ROOT

LOCALE_DIR = PROJECT_ROOT / "locale"
DOMAIN = "yishi"
DEFAULT_LOCALE = "zh_CN"
# The locales the switch offers, each named in its own language (the header shows these).
LOCALES: dict[str, str] = {"zh_CN": "中文", "en": "English"}

# The CLDR locale that formats dates and numbers for each catalog: British English writes
# "4 Dec 2026", as the readers (researchers, NGOs, residents from abroad) expect.
FORMAT_LOCALES: dict[str, str] = {"zh_CN": "zh_Hans_CN", "en": "en_GB"}

_current: ContextVar[str] = ContextVar("yishi_locale", default=DEFAULT_LOCALE)
P = ParamSpec("P")
T = TypeVar("T")


def normalize(value: str | None) -> str | None:
    """One of LOCALES for a tag such as `en-GB`, `zh-Hans-CN`, `zh_CN` or `EN`; None otherwise."""
    if not value:
        return None
    tag = value.strip().replace("-", "_")
    if tag in LOCALES:
        return tag
    # The common case without Babel (its import is most of `yishi tally`'s start-up): a tag
    # whose language is one the app speaks.
    language = tag.split("_")[0].lower()
    if language == "zh":
        return "zh_CN"
    if language in LOCALES:
        return language
    from babel import Locale, UnknownLocaleError  # noqa: PLC0415 — start-up cost (Babel, 0.1 s)

    try:
        parsed = Locale.parse(tag)
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    if parsed.language == "zh":
        # Traditional Chinese has no catalog yet: Simplified serves it better than English.
        return "zh_CN"
    return parsed.language if parsed.language in LOCALES else None


def negotiate(accept_language: str | None) -> str | None:
    """The best of LOCALES for an Accept-Language header (quality values respected), or None."""
    if not accept_language:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _eq, val = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(val)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, tag))
    for _q, _pos, tag in sorted(ranked):
        if locale := normalize(tag):
            return locale
    return None


@functools.cache
def translation(locale: str) -> _gettext.NullTranslations:
    """The catalog of a locale: its .mo when up to date, else its .po compiled in memory."""
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return _gettext.GNUTranslations(fh)
    if po.exists():
        from babel.messages.mofile import write_mo  # noqa: PLC0415 — start-up cost (Babel)
        from babel.messages.pofile import read_po  # noqa: PLC0415 — start-up cost (Babel)

        with po.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        buf = io.BytesIO()
        write_mo(buf, catalog)  # fuzzy entries are left out, as msgfmt does
        buf.seek(0)
        return _gettext.GNUTranslations(buf)
    return _gettext.NullTranslations()


def get_locale() -> str:
    return _current.get()


def format_locale() -> str:
    """The CLDR locale for dates and numbers in the current language."""
    return FORMAT_LOCALES.get(_current.get(), "zh_Hans_CN")


def activate(locale: str | None) -> None:
    """Sets the language for the rest of this task (an error page rendered after the request's
    own context is gone); prefer `language()` where a block can say it."""
    _current.set(normalize(locale) or DEFAULT_LOCALE)


@contextlib.contextmanager
def language(locale: str | None) -> Iterator[str]:
    """Inside the block, messages, dates and money come in this locale (the default if unknown)."""
    token = _current.set(normalize(locale) or DEFAULT_LOCALE)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def official_document(func: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """An export that is an official document (the district dossier, minutes, 月调度通报, the
    evaluation report): written in Chinese, the language of the administration it goes to,
    whatever the language of the page it was asked from."""
    @functools.wraps(func)
    async def in_chinese(*args: P.args, **kwargs: P.kwargs) -> T:
        with language(DEFAULT_LOCALE):
            return await func(*args, **kwargs)
    return in_chinese


def stored(message: str) -> str:
    """A message the app writes into the data (a case's reason, a note for the unit): in Chinese,
    the language staff read it in, whatever the language of the request that wrote it (a
    resident rating in English must not leave English in the case). Mark it with N_ for
    extraction."""
    with language(DEFAULT_LOCALE):
        return gettext(message)


# --- printed sheets for residents ----------------------------------------------------------------
# A paper ballot, an observation point's poster or a rating slip is printed in Chinese, in English,
# or in both (Chinese, with the English under each line): the choice on its print form, Chinese
# unless asked. Official documents do not take it (`official_document`).
BILINGUAL = "bilingual"
PRINT_LANGUAGES: dict[str, str] = {"zh_CN": "中文", "en": "English", BILINGUAL: "中文 + English"}


def print_language(value: object) -> str:
    """One of PRINT_LANGUAGES for a print form's value; Chinese when absent or unknown."""
    return value if isinstance(value, str) and value in PRINT_LANGUAGES else DEFAULT_LOCALE


@contextlib.contextmanager
def printing(choice: str) -> Iterator[bool]:
    """Inside the block a printed sheet renders in its language; yields True for a bilingual sheet
    (rendered in Chinese, its templates adding each line again in English)."""
    with language(DEFAULT_LOCALE if choice == BILINGUAL else choice):
        yield choice == BILINGUAL


def in_language(locale: str, render: Callable[[], T]) -> T:
    """render() in another language: a bilingual sheet's English line (templates/pdf/_print.html)."""
    with language(locale):
        return render()


def gettext(message: str) -> str:
    return translation(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translation(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translation(_current.get()).pgettext(context, message)


def lazy_gettext(message: str) -> LazyProxy:
    """A message defined at import time, translated each time it is shown (str(), format, Jinja)."""
    from babel.support import LazyProxy  # noqa: PLC0415 — start-up cost (Babel)

    return LazyProxy(gettext, message, enable_cache=False)


def gettext_noop(message: str) -> str:
    """Marks a message for extraction where the translation happens later, on a variable."""
    return message


_ = gettext
_l = lazy_gettext
N_ = gettext_noop
