"""core.dates: China time, and dates and times typed into forms."""
from datetime import UTC, date, datetime

import pytest

from yishi.core import dates
from yishi.core.errors import DomainError

pytestmark = pytest.mark.pure  # no database: the per-test clean-up is skipped


def test_today_is_the_date_in_china():
    assert dates.today(datetime(2026, 3, 1, 16, 0, tzinfo=UTC)) == date(2026, 3, 2)
    assert dates.today(datetime(2026, 3, 1, 15, 59, tzinfo=UTC)) == date(2026, 3, 1)


def test_china_date_takes_naive_as_utc():
    assert dates.china_date(datetime(2026, 3, 1, 17, 0)) == date(2026, 3, 2)
    assert dates.china_date(None) is None


def test_local_text_in_beijing_time():
    assert dates.local_text(datetime(2026, 3, 12, 6, 30, tzinfo=UTC)) == "2026-03-12 14:30"
    assert dates.local_text(None) == ""


@pytest.mark.parametrize("typed", ["2026-03-01", "2026/3/1", "2026.3.1", "2026年3月1日", " 2026 年 3 月 1 日 ",
                                   "\uff12\uff10\uff12\uff16\uff0d\uff10\uff13\uff0d\uff10\uff11"])
def test_parse_date_typed_forms(typed):
    assert dates.parse_date(typed, "任期开始") == date(2026, 3, 1)


def test_parse_date_blank_is_none():
    assert dates.parse_date("  ", "任期开始") is None
    assert dates.parse_date(None, "任期开始") is None


@pytest.mark.parametrize(("typed", "message"), [
    ("明天", "任期开始应为日期，例如 2026-03-01。"),
    ("2026-02-30", "任期开始应为日期，例如 2026-03-01。"),
    ("2026-03-01 14:30", "任期开始应为日期，例如 2026-03-01。"),
    ("0001-01-01", "任期开始的年份应在 1970 到 2099 之间。"),
    ("20266-03-01", "任期开始的年份应在 1970 到 2099 之间。"),
])
def test_parse_date_refused_in_chinese(typed, message):
    with pytest.raises(DomainError) as caught:
        dates.parse_date(typed, "任期开始")
    assert caught.value.message == message and caught.value.status_code == 400


@pytest.mark.parametrize("typed", ["2026-12-01T20:30", "2026-12-01 20:30", "2026-12-01T20:30:00",
                                   "2026年12月1日 20:30", "\uff12\uff10\uff12\uff16-12-01 20\uff1a30"])
def test_parse_datetime_is_beijing_time(typed):
    assert dates.parse_datetime(typed, "截止时间") == datetime(2026, 12, 1, 12, 30, tzinfo=UTC)


@pytest.mark.parametrize(("typed", "message"), [
    ("明天", "截止时间的格式不对，请按“年-月-日 时:分”填写。"),
    ("2026-12-01", "截止时间的格式不对，请按“年-月-日 时:分”填写。"),
    ("2026-12-01T24:00", "截止时间的格式不对，请按“年-月-日 时:分”填写。"),
    ("0001-01-01T00:00", "截止时间的年份应在 1970 到 2099 之间。"),
])
def test_parse_datetime_refused_in_chinese(typed, message):
    with pytest.raises(DomainError) as caught:
        dates.parse_datetime(typed, "截止时间")
    assert caught.value.message == message
