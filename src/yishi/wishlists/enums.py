import enum


class ItemKind(str, enum.Enum):
    universal = "universal"
    special = "special"
    pilot = "pilot"

    @property
    def label(self) -> str:
        return {"universal": "普惠性", "special": "特色", "pilot": "试点"}[self.value]


class RoundStatus(str, enum.Enum):
    """A round's wish list: compiled, ticked by residents, then decided by the council."""

    draft = "draft"
    voting = "voting"
    counted = "counted"
    decided = "decided"

    @property
    def label(self) -> str:
        return {
            "draft": "清单编制中",
            "voting": "群众勾选中",
            "counted": "勾选已结束",
            "decided": "已形成意愿清单",
        }[self.value]
