import enum


class TownKind(str, enum.Enum):
    town = "town"
    street = "street"

    @property
    def label(self) -> str:
        return {"town": "镇", "street": "街道"}[self.value]


class CommunityKind(str, enum.Enum):
    community = "community"
    village = "village"

    @property
    def label(self) -> str:
        return {"community": "社区", "village": "村"}[self.value]
