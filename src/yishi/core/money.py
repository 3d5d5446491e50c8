"""Money is kept as integer fen (分): exact on SQLite and PostgreSQL alike."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal

from yishi.core.errors import DomainError
from yishi.core.i18n import _, format_locale, get_locale
from yishi.core.text import typed

MAX_YUAN = Decimal("100000000000")  # a hundred billion yuan: far beyond any micro-project


def parse_yuan(text: str, field: str) -> int:
    """'12,345.6' -> 1234560 fen; a clear message for anything else."""
    # typed(): full-width digits, comma and point (a Chinese input method's) as ASCII ones.
    cleaned = typed(text).replace(",", "").replace("元", "").strip()
    if not cleaned:
        raise DomainError(_("请填写{field}。").format(field=field))
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise DomainError(_("{field}应为数字（单位：元），例如 12000 或 12000.50。").format(field=field)) from None
    if not value.is_finite() or value < 0 or value >= MAX_YUAN:
        raise DomainError(_("{field}应为不小于 0 的合理金额。").format(field=field))
    if value != value.quantize(Decimal("0.01")):
        raise DomainError(_("{field}最多保留两位小数（精确到分）。").format(field=field))
    return int(value * 100)


def format_yuan(fen: int | None) -> str:
    """1234560 -> '12,345.60' (grouping and decimal sign of the current locale, through Babel)."""
    return format_decimal(Decimal(int(fen or 0)) / 100, "#,##0.00", locale=format_locale())


def format_money(fen: int | None) -> str:
    """1230000 -> '¥12,300.00': the yuan sign, as both Chinese and English readers write it (CLDR's
    English "CN¥" marks a currency that is not the reader's own, which is not how this reads)."""
    fen = int(fen or 0)
    return ("-" if fen < 0 else "") + "¥" + format_yuan(abs(fen))


def format_wan(fen: int | None) -> str:
    """Amounts in 万元, as Chinese budgets are read, for tables and reports: 1234560 -> '1.23',
    300000000 -> '300.00'."""
    return f"{(int(fen or 0) / 1_000_000):,.2f}"


def format_wan_short(fen: int | None) -> str:
    """万元 as said, without trailing zeros: 5200000 -> '5.2', 300000000 -> '300'."""
    return format_wan(fen).rstrip("0").rstrip(".")


def format_spoken(fen: int | None) -> str:
    """An amount as residents say it: in Chinese '52 万元' from ten thousand yuan up, '4,800 元'
    below; in other languages, which count no 万, '¥520,000' and '¥4,800'.
    (Staff pages keep exact yuan and fen: format_yuan.)"""
    fen = int(fen or 0)
    if not get_locale().startswith("zh"):
        return format_money(fen).removesuffix(".00")
    if fen >= 1_000_000:
        return f"{format_wan_short(fen)} {_('万元')}"
    return f"{format_yuan(fen).removesuffix('.00')} {_('元')}"
