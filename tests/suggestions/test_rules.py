"""Pure rules: codes, deadlines, supervision colours, rates."""
from datetime import UTC, date, datetime

import pytest

from yishi.core.errors import DomainError
from yishi.suggestions import privacy, rules
from yishi.suggestions.enums import Flag, SuggestionStatus, Track

pytestmark = pytest.mark.pure  # no database: the per-test clean-up is skipped

DAYS = {Track.now: 3, Track.deadline: 15, Track.study: 30}


def test_new_code_uses_only_unambiguous_characters():
    codes = {rules.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 8
        assert not set(code) & set("0O1IL2Z5S8B")


def test_normalise_code_accepts_lower_case_dashes_and_spaces():
    assert rules.normalise_code(" k7qm-4xpr ") == "K7QM4XPR"
    assert rules.display_code("K7QM4XPR") == "K7QM-4XPR"
    assert rules.is_plausible_code("K7QM4XPR")
    assert not rules.is_plausible_code("K7QM4XP0")
    assert not rules.is_plausible_code("K7QM")


def test_due_date_counts_calendar_days_from_receipt():
    assert rules.due_date(date(2026, 3, 1), Track.now, DAYS) == date(2026, 3, 4)
    assert rules.due_date(date(2026, 3, 1), Track.study, DAYS) == date(2026, 3, 31)


def test_effective_due_holds_ungraded_to_shortest_track():
    assert rules.effective_due(None, date(2026, 3, 1), DAYS) == date(2026, 3, 4)
    assert rules.effective_due(date(2026, 4, 1), date(2026, 3, 1), DAYS) == date(2026, 4, 1)


def test_flag_colours_as_due_date_nears_and_passes():
    received, due = date(2026, 3, 1), date(2026, 3, 16)  # 15 days allowed: blue from 3 days left
    assert rules.flag(SuggestionStatus.graded, received, due, date(2026, 3, 12)) is Flag.none
    assert rules.flag(SuggestionStatus.graded, received, due, date(2026, 3, 13)) is Flag.blue
    assert rules.flag(SuggestionStatus.in_progress, received, due, date(2026, 3, 16)) is Flag.blue
    assert rules.flag(SuggestionStatus.in_progress, received, due, date(2026, 3, 17)) is Flag.yellow
    assert rules.flag(SuggestionStatus.in_progress, received, due, date(2026, 3, 23)) is Flag.yellow  # 7 days = half
    assert rules.flag(SuggestionStatus.in_progress, received, due, date(2026, 3, 24)) is Flag.red


def test_flag_short_track_goes_red_after_three_days():
    received, due = date(2026, 3, 1), date(2026, 3, 4)
    assert rules.flag(SuggestionStatus.graded, received, due, date(2026, 3, 3)) is Flag.blue
    assert rules.flag(SuggestionStatus.graded, received, due, date(2026, 3, 7)) is Flag.yellow
    assert rules.flag(SuggestionStatus.graded, received, due, date(2026, 3, 8)) is Flag.red


def test_flag_none_for_closed_or_undated():
    assert rules.flag(SuggestionStatus.closed, date(2026, 3, 1), date(2026, 3, 2), date(2026, 5, 1)) is Flag.none
    assert rules.flag(SuggestionStatus.received, date(2026, 3, 1), None, date(2026, 5, 1)) is Flag.none


def _row(status, due, replied=None, closed=None, grade="A", supporters=1):
    return {"status": status, "supporters": supporters, "grade": grade, "due": due,
            "replied_on": replied, "closed_on": closed}


def test_summarise_rates_on_mixed_cases():
    today = date(2026, 3, 20)
    rows = [
        _row("closed", date(2026, 3, 10), replied=date(2026, 3, 5), closed=date(2026, 3, 9), supporters=3),
        _row("rejected", date(2026, 3, 10), replied=date(2026, 3, 12), closed=date(2026, 3, 12)),
        _row("in_progress", date(2026, 3, 15)),  # overdue, no answer: late
        _row("graded", date(2026, 3, 30)),  # not due yet: not counted in the response rate
        _row("received", date(2026, 3, 22), grade=""),
        _row("listed", date(2026, 3, 30), replied=date(2026, 3, 18), closed=date(2026, 3, 18)),
        _row("merged", date(2026, 3, 10)),  # counted through its primary only
    ]
    fig = rules.summarise(rows, today).total
    assert fig.cases == 6
    assert fig.supporters == 8
    assert fig.graded == 5
    assert fig.answered == 3
    assert fig.answer_due == 4
    assert fig.answered_on_time == 2
    assert fig.response_rate == 0.5
    assert fig.finished == 3 and fig.finished_on_time == 2
    assert fig.resolved == 2
    assert fig.resolution_rate == 2 / 6
    assert fig.open == 3 and fig.overdue == 1


def test_summarise_groups_and_empty_rates():
    rows = [_row("closed", date(2026, 3, 10), date(2026, 3, 1), date(2026, 3, 1)) | {"k": "教育"},
            _row("received", date(2026, 3, 30), grade="") | {"k": "养老"}]
    summary = rules.summarise(rows, date(2026, 3, 5), key=lambda r: r["k"])
    assert summary.groups["教育"].resolution_rate == 1.0
    assert summary.groups["养老"].response_rate is None
    assert rules.summarise([], date(2026, 3, 5)).total.resolution_rate is None


def test_phone_normalise_mask_and_reject():
    assert privacy.normalise_phone("138 0013-8000") == "13800138000"
    assert privacy.normalise_phone("+86 13800138000") == "13800138000"
    assert privacy.normalise_phone("028-83912345") == "02883912345"
    # full-width digits, dash and brackets, as typed in a Chinese input method's 全角 mode
    assert privacy.normalise_phone("１３８００１３８０００") == "13800138000"
    assert privacy.normalise_phone("（０２８）８３９１２３４５") == "02883912345"
    assert privacy.normalise_phone("") == ""
    assert privacy.mask_phone("13812341234") == "138****1234"
    for bad in ("12345", "23800138000", "1380013800a"):
        with pytest.raises(DomainError, match="联系电话格式不对"):
            privacy.normalise_phone(bad)


def test_phone_vault_round_trip_and_keyed_hash():
    vault = privacy.PhoneVault("k1")
    token = vault.encrypt("13812341234")
    assert "13812341234" not in token
    assert vault.decrypt(token) == "13812341234"
    assert vault.encrypt("13812341234") != token  # fresh nonce each time
    assert vault.lookup_hash("13812341234") == vault.lookup_hash("13812341234")
    assert privacy.PhoneVault("k2").lookup_hash("13812341234") != vault.lookup_hash("13812341234")


def test_china_date_converts_from_utc():
    assert rules.china_date(datetime(2026, 3, 1, 17, 0, tzinfo=UTC)) == date(2026, 3, 2)
    assert rules.china_date(None) is None
