"""gettext for the app: Simplified Chinese is the source language, other locales translate it."""
from __future__ import annotations

import gettext as _gettext

from yishi.config import PROJECT_ROOT

LOCALE_DIR = PROJECT_ROOT / "locale"
_translation = _gettext.translation("yishi", LOCALE_DIR, languages=["zh_CN"], fallback=True)


def gettext(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


_ = gettext
