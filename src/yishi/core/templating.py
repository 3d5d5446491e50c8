"""One Jinja environment for pages and PDFs, with the filters both need."""
from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from yishi.core import enums, i18n
from yishi.core.dates import local_text, long_date, month_label
from yishi.core.money import format_money, format_spoken, format_wan, format_wan_short, format_yuan

local_time = local_text  # the template filter's name


chinese_date = long_date  # the official documents' name for it (they always render in Chinese)


def seeded(value: object) -> object:
    """Data the app seeded with a name marked N_() (the default categories): shown in the page's
    language; a name someone typed is not in the catalog and shows as typed."""
    return i18n.gettext(value) if isinstance(value, str) and value else value


def user_data(value: object) -> object:
    """What someone typed or the demo seeded (a name, a place, a comment) inside a translated
    sentence: marked translate="no", so the English page walk (and a browser's translator) leaves
    it as written. Escaped like any value; nothing to mark for an empty one."""
    if value is None or value == "":
        return value
    return Markup('<span translate="no">{}</span>').format(value)


class Marked(str):
    """A line of interface text with what people typed in it (a history line's reason, reply or
    unit), built with typed(), fill() and joined(): in Python the plain line (tests, exports); in a
    template (its __html__) the line escaped, each typed value marked translate="no" where it was
    put in, so a value that reads like interface words (a unit named 派单) is marked, and only it."""

    html: Markup

    def __new__(cls, plain: str, html: Markup) -> Marked:
        line = super().__new__(cls, plain)
        line.html = html
        return line

    def __html__(self) -> Markup:
        return self.html


def typed(value: object) -> Marked:
    """What someone typed, to put in a line: marked as user data (user_data)."""
    text = str(value)
    return Marked(text, Markup('<span translate="no">{}</span>').format(text) if text else Markup())


def fill(template: str, /, *args: object, **values: object) -> Marked:
    """str.format for a line: the template is interface text; typed() values stay marked."""
    return Marked(template.format(*args, **values), escape(template).format(*args, **values))


def joined(sep: str, parts: Iterable[str]) -> Marked:
    """sep.join(parts) for a line (sep "" to concatenate); typed() parts stay marked."""
    parts = list(parts)
    return Marked(sep.join(parts), escape(sep).join(parts))


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


def bar_svg(pct: float) -> Markup:
    """A bar filled to pct (0-100) of its box. An SVG rectangle's width attribute, not a style
    attribute: the Content-Security-Policy forbids inline styles (web.headers); the colour comes
    from the stylesheet (.bar rect, .track rect)."""
    width = max(0.0, min(100.0, float(pct or 0)))
    return Markup('<svg viewBox="0 0 100 1" preserveAspectRatio="none" focusable="false">'
                  f'<rect width="{width:g}" height="1"/></svg>')


def configure(env: Environment) -> Environment:
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(yuan=format_yuan, wan=format_wan, wan_short=format_wan_short, money_spoken=format_spoken,
                       local_time=local_time, chinese_date=chinese_date, long_date=long_date, month_label=month_label,
                       money=format_money, percent=percent, seeded=seeded, user_data=user_data)
    env.globals.update(get_locale=i18n.get_locale, LOCALES=i18n.LOCALES, PRINT_LANGUAGES=i18n.PRINT_LANGUAGES,
                       in_language=i18n.in_language)
    env.globals["bar_svg"] = bar_svg
    # Every LabelledEnum by its own name, read live: a domain imported after this environment was
    # built (the PDF renderer's is built at the first PDF) still has its enums in the templates.
    # Jinja annotates globals as a dict but only reads it as a mapping (make_globals chains it).
    if not isinstance(env.globals, ChainMap):
        env.globals = ChainMap[str, Any](env.globals, enums.REGISTRY)  # type: ignore[assignment]
    return env


def make_environment(directory: Path) -> Environment:
    return configure(Environment(loader=FileSystemLoader(directory), autoescape=select_autoescape()))
