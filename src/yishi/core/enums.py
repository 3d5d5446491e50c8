"""The base of every state and kind: a str enum whose members carry their label.

pretalx's `submission/enums.py` pattern: the label is declared beside the member, marked for
extraction with `N_`, and translated each time it is read, in the language of the request:

    class RoundStatus(LabelledEnum):
        draft = "draft", N_("清单编制中")

`RoundStatus.draft.value == "draft"`, `RoundStatus("draft") is RoundStatus.draft`, and
`RoundStatus.draft.label` is "清单编制中" in Chinese, "Drafting the list" in English.
"""
from __future__ import annotations

import enum

from yishi.core.i18n import gettext


class LabelledEnum(enum.StrEnum):
    _label: str

    def __new__(cls, value: str, label: str = "") -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label
        return member

    @property
    def label(self) -> str:
        # gettext("") would answer the catalog's header: an empty label stays empty.
        return gettext(self._label) if self._label else ""

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) of every member, in declaration order, for a <select>."""
        return [(member.value, member.label) for member in cls]
