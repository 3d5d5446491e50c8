"""Time in China and dates typed into forms: one definition for the whole app.

Stored moments are aware UTC; people read and type Beijing time (UTC+8, no daylight saving since
1991, so a fixed offset needs no time-zone database).
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from babel.dates import format_date, format_skeleton

from yishi.core import i18n
from yishi.core.errors import DomainError
from yishi.core.i18n import _
from yishi.core.text import typed

CHINA = timezone(timedelta(hours=8))
# A typed year outside this range is a slip of the keyboard (0001-01-01, 20266-03-01): refused in
# words, before date arithmetic or the database overflows on it.
MIN_YEAR, MAX_YEAR = 1970, 2099

# 2026-03-01, 2026/3/1, 2026.3.1, 2026年3月1日; then optionally a time, 14:30 or 14:30:05
# (`T` as <input type=datetime-local> sends it, or a space; 时/分 as typed in Chinese).
_DATE = r"(\d{1,5})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
_TIME = r"(\d{1,2})\s*[:时点]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})\s*秒?)?\s*分?"
_DATE_ONLY = re.compile(rf"{_DATE}")
_DATE_TIME = re.compile(rf"{_DATE}\s*[T\s]?\s*{_TIME}")


def now() -> datetime:
    """The current moment, aware UTC."""
    return datetime.now(UTC)


def in_china(moment: datetime) -> datetime:
    """The moment on Beijing clocks; a naive moment is taken as UTC (as the database returns it)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA)


def today(moment: datetime | None = None) -> date:
    """The date in China now (or at `moment`)."""
    return in_china(moment or now()).date()


def china_date(moment: datetime | None) -> date | None:
    return None if moment is None else in_china(moment).date()


def local_text(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """'2026-03-12 14:30' in Beijing time; '' for none."""
    return "" if moment is None else in_china(moment).strftime(fmt)


def _checked_date(parts: tuple[str, ...], label: str) -> date:
    year, month, day = (int(p) for p in parts)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(_("{label}的年份应在 {low} 到 {high} 之间。").format(
            label=label, low=MIN_YEAR, high=MAX_YEAR))
    return date(year, month, day)  # ValueError for 2026-02-30: the caller words it


def parse_date(text: object, label: str) -> date | None:
    """A typed date -> date; blank is None; anything else a DomainError naming `label`."""
    raw = typed(text)
    if not raw:
        return None
    match = _DATE_ONLY.fullmatch(raw)
    try:
        if match:
            return _checked_date(match.groups(), label)
    except ValueError:
        pass
    raise DomainError(_("{label}应为日期，例如 2026-03-01。").format(label=label))


def parse_datetime(text: object, label: str) -> datetime | None:
    """A typed Beijing time ('2026-03-12T14:30' from <input type=datetime-local>, or
    '2026-03-12 14:30') -> an aware UTC datetime; blank is None; anything else a DomainError."""
    raw = typed(text)
    if not raw:
        return None
    match = _DATE_TIME.fullmatch(raw)
    try:
        if match:
            day = _checked_date(match.groups()[:3], label)
            hour, minute, second = (int(p or 0) for p in match.groups()[3:])
            moment = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=CHINA)
            return moment.astimezone(UTC)
    except ValueError:
        pass
    raise DomainError(_("{label}的格式不对，请按“年-月-日 时:分”填写。").format(label=label))


def long_date(value: date | datetime | None) -> str:
    """The date as a reader of the current language writes it: 2026年12月4日, 4 Dec 2026 (Babel,
    CLDR); a moment is taken on Beijing clocks."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = in_china(value).date()
    chinese = i18n.get_locale() == "zh_CN"
    return format_date(value, "long" if chinese else "d MMM y", locale=i18n.format_locale())


def month_day(value: date) -> str:
    """A day without its year, as a reader of the current language writes it: 12月4日, Dec 4."""
    return format_skeleton("MMMd", value, locale=i18n.format_locale())


def month_label(month: str | date) -> str:
    """'2026-12' (or a date in it) -> 2026年12月, December 2026."""
    if isinstance(month, str):
        year, mon = month.split("-")
        month = date(int(year), int(mon), 1)
    return format_skeleton("yMMMM", month, locale=i18n.format_locale())
