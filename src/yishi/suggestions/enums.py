"""States and kinds of a resident's suggestion (寻民意). Imports nothing else of the app."""
from yishi.core.enums import LabelledEnum
from yishi.core.i18n import N_


class SuggestionStatus(LabelledEnum):
    """已受理 → 已分级 → 办理中 → 已办结 | 已纳入清单 | 不予采纳； 已合并 when absorbed by a duplicate."""

    received = "received", N_("已受理")
    graded = "graded", N_("已分级")
    in_progress = "in_progress", N_("办理中")
    closed = "closed", N_("已办结")
    listed = "listed", N_("已纳入清单")
    rejected = "rejected", N_("不予采纳")
    merged = "merged", N_("已合并")

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


OPEN_STATUSES = frozenset({SuggestionStatus.received, SuggestionStatus.graded, SuggestionStatus.in_progress})
# The states that answer the resident for good (a merged one is answered through its primary).
FINAL_STATUSES = frozenset({SuggestionStatus.closed, SuggestionStatus.listed, SuggestionStatus.rejected})


class Grade(LabelledEnum):
    A = "A", N_("A 重要且有代表性")
    B = "B", N_("B 情况复杂不能及时办理")
    C = "C", N_("C 能够及时办理")


class Track(LabelledEnum):
    now = "now", N_("即可办")
    deadline = "deadline", N_("限期办")
    study = "study", N_("研究办")


class Tier(LabelledEnum):
    community = "community", N_("社区直接办")
    street = "street", N_("街道协调办")
    district = "district", N_("区级会商办")


class Channel(LabelledEnum):
    qr = "qr", N_("码上听")
    visit = "visit", N_("上门走访")
    hotline = "hotline", N_("12345热线")
    petition = "petition", N_("信访")
    online = "online", N_("线上")
    survey = "survey", N_("满意度测评")
    other = "other", N_("其他")


class Flag(LabelledEnum):
    """Supervision colour (三色督办) of an open suggestion against its due date."""

    none = "none", N_("")
    blue = "blue", N_("临近期限")
    yellow = "yellow", N_("已逾期")
    red = "red", N_("严重逾期")


# Seeded as data (an administrator may rename or add categories); shown through the `seeded`
# template filter, so these names read in the page's language and others as typed.
DEFAULT_CATEGORIES = (N_("教育"), N_("养老"), N_("医疗"), N_("交通出行"), N_("环境卫生"), N_("公共设施"),
                      N_("安全"), N_("其他"))
# Default deadline of each track, in calendar days from the day the suggestion was received.
DEFAULT_TRACK_DAYS = {Track.now: 3, Track.deadline: 15, Track.study: 30}
