"""Money as integer fen: what a convener may type, and how amounts are printed."""
import pytest

from yishi.core.errors import DomainError
from yishi.core.money import format_spoken, format_wan, format_wan_short, format_yuan, parse_yuan

pytestmark = pytest.mark.pure  # no database: the per-test clean-up is skipped

NUMBER_MESSAGE = "预计费用应为数字（单位：元），例如 12000 或 12000.50。"
RANGE_MESSAGE = "预计费用应为不小于 0 的合理金额。"
CENTS_MESSAGE = "预计费用最多保留两位小数（精确到分）。"


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("0", 0),
        ("12000", 1200000),
        ("12000.5", 1200050),
        ("12000.50", 1200050),
        ("0.01", 1),
        ("12,345.6", 1234560),
        ("1,234,567.89", 123456789),
        ("12\uff0c345.6", 1234560),  # full-width comma, as a Chinese input method types it
        ("1\uff0c234\uff0c567", 123456700),
        ("\uff11\uff12\uff0c\uff13\uff14\uff15\uff0e\uff16\u5143", 1234560),  # all full-width: １２，３４５．６元
        ("100元", 10000),
        ("4,800元", 480000),
        ("  48000  ", 4800000),
        ("1.230", 123),  # a trailing zero is not a third decimal
        ("99999999999.99", 9999999999999),
    ],
)
def test_parse_yuan_accepts(text, fen):
    assert parse_yuan(text, "预计费用") == fen


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "请填写预计费用。"),
        ("   ", "请填写预计费用。"),
        (None, "请填写预计费用。"),
        ("元", "请填写预计费用。"),
        ("十二万", NUMBER_MESSAGE),
        ("12 000", NUMBER_MESSAGE),
        ("¥100", NUMBER_MESSAGE),
        ("1.2.3", NUMBER_MESSAGE),
        ("-5", RANGE_MESSAGE),
        ("-0.01", RANGE_MESSAGE),
        ("NaN", RANGE_MESSAGE),
        ("Infinity", RANGE_MESSAGE),
        ("100000000000", RANGE_MESSAGE),
        ("9" * 40, RANGE_MESSAGE),
        ("0.001", CENTS_MESSAGE),
        ("12.345", CENTS_MESSAGE),
    ],
)
def test_parse_yuan_refuses(text, message):
    with pytest.raises(DomainError) as caught:
        parse_yuan(text, "预计费用")
    assert caught.value.message == message
    assert caught.value.status_code == 400


def test_parse_yuan_message_names_the_field():
    with pytest.raises(DomainError) as caught:
        parse_yuan("", "批次预算")
    assert caught.value.message == "请填写批次预算。"


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "0.00"),
        (None, "0.00"),
        (1, "0.01"),
        (99, "0.99"),
        (100, "1.00"),
        (1234560, "12,345.60"),
        (-1, "-0.01"),
        (-123456, "-1,234.56"),
        (9999999999999, "99,999,999,999.99"),
    ],
)
def test_format_yuan(fen, text):
    assert format_yuan(fen) == text


@pytest.mark.parametrize("text", ["0.01", "12,345.67", "99,999,999,999.99"])
def test_format_yuan_round_trips_through_parse_yuan(text):
    assert format_yuan(parse_yuan(text, "预计费用")) == text


@pytest.mark.parametrize(("fen", "text"), [(0, "0.00"), (None, "0.00"), (1234560, "1.23"), (300_000_000, "300.00")])
def test_format_wan(fen, text):
    assert format_wan(fen) == text


@pytest.mark.parametrize(("fen", "text"), [(0, "0"), (None, "0"), (1234560, "1.23"), (300_000_000, "300"),
                                         (5_200_000, "5.2"), (12_000_000_000, "12,000")])
def test_format_wan_short(fen, text):
    assert format_wan_short(fen) == text


@pytest.mark.parametrize(("fen", "text"), [(0, "0 元"), (480_000, "4,800 元"), (480_050, "4,800.50 元"),
                                         (999_999, "9,999.99 元"), (1_000_000, "1 万元"), (52_000_000, "52 万元"),
                                         (1_234_560, "1.23 万元")])
def test_format_spoken(fen, text):
    assert format_spoken(fen) == text
