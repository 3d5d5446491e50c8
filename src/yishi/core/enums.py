"""The base of every state and kind: a str enum whose members carry their label.

pretalx's `submission/enums.py` pattern: the label is declared beside the member, marked for
extraction with `N_`, and translated each time it is read, in the language of the request:

    class RoundStatus(LabelledEnum):
        draft = "draft", N_("清单编制中")

`RoundStatus.draft.value == "draft"`, `RoundStatus("draft") is RoundStatus.draft`, and
`RoundStatus.draft.label` is "清单编制中" in Chinese, "Drafting the list" in English.

Every subclass is registered by its class name in `REGISTRY`, which core.templating lays under the
templates' globals: a template says `RoundStatus.voting` or `MemberCategory(m.category).label`,
the same names as the Python code, and no route passes enums (or label dicts) into its context.
The names are therefore unique across the app; a second enum of the same name fails at import.
"""
from __future__ import annotations

import enum

from yishi.core.i18n import gettext

REGISTRY: dict[str, type[LabelledEnum]] = {}


class LabelledEnum(enum.StrEnum):
    _label: str

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        known = REGISTRY.get(cls.__name__)
        if known is not None and (known.__module__, known.__qualname__) != (cls.__module__, cls.__qualname__):
            raise TypeError(f"two LabelledEnums named {cls.__name__} ({known.__module__}, {cls.__module__}): "
                            "templates reach enums by name, so rename one")
        REGISTRY[cls.__name__] = cls

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
