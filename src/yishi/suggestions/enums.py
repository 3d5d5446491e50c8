"""States and kinds of a resident's suggestion (寻民意). Imports nothing else of the app."""
import enum


class Status(str, enum.Enum):
    """已受理 → 已分级 → 办理中 → 已办结 | 已纳入清单 | 不予采纳； 已合并 when absorbed by a duplicate."""

    received = "received"
    graded = "graded"
    in_progress = "in_progress"
    closed = "closed"
    listed = "listed"
    rejected = "rejected"
    merged = "merged"

    @property
    def label(self) -> str:
        return {
            "received": "已受理",
            "graded": "已分级",
            "in_progress": "办理中",
            "closed": "已办结",
            "listed": "已纳入清单",
            "rejected": "不予采纳",
            "merged": "已合并",
        }[self.value]

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


OPEN_STATUSES = frozenset({Status.received, Status.graded, Status.in_progress})
# The states that answer the resident for good (a merged one is answered through its primary).
FINAL_STATUSES = frozenset({Status.closed, Status.listed, Status.rejected})


class Grade(str, enum.Enum):
    A = "A"
    B = "B"
    C = "C"

    @property
    def label(self) -> str:
        return {"A": "A 重要且有代表性", "B": "B 情况复杂不能及时办理", "C": "C 能够及时办理"}[self.value]


class Track(str, enum.Enum):
    now = "now"
    deadline = "deadline"
    study = "study"

    @property
    def label(self) -> str:
        return {"now": "即可办", "deadline": "限期办", "study": "研究办"}[self.value]


class Tier(str, enum.Enum):
    community = "community"
    street = "street"
    district = "district"

    @property
    def label(self) -> str:
        return {"community": "社区直接办", "street": "街道协调办", "district": "区级会商办"}[self.value]


class Channel(str, enum.Enum):
    qr = "qr"
    visit = "visit"
    hotline = "hotline"
    petition = "petition"
    online = "online"
    survey = "survey"
    other = "other"

    @property
    def label(self) -> str:
        return {
            "qr": "码上听",
            "visit": "上门走访",
            "hotline": "12345热线",
            "petition": "信访",
            "online": "线上",
            "survey": "满意度测评",
            "other": "其他",
        }[self.value]


class Flag(str, enum.Enum):
    """Supervision colour (三色督办) of an open suggestion against its due date."""

    none = "none"
    blue = "blue"
    yellow = "yellow"
    red = "red"

    @property
    def label(self) -> str:
        return {"none": "", "blue": "临近期限", "yellow": "已逾期", "red": "严重逾期"}[self.value]


DEFAULT_CATEGORIES = ("教育", "养老", "医疗", "交通出行", "环境卫生", "公共设施", "安全", "其他")
# Default deadline of each track, in calendar days from the day the suggestion was received.
DEFAULT_TRACK_DAYS = {Track.now: 3, Track.deadline: 15, Track.study: 30}
