"""core.codes: one alphabet, and codes read as a Chinese input method types them."""
import pytest

from yishi.core import codes

pytestmark = pytest.mark.pure  # no database: the per-test clean-up is skipped


@pytest.mark.parametrize(("typed", "stored"), [
    ("k7qm-4xpr", "K7QM4XPR"),
    (" K7QM 4XPR ", "K7QM4XPR"),
    ("\uff2b\uff17\uff31\uff2d\uff0d\uff14\uff38\uff30\uff32", "K7QM4XPR"),  # full-width, as typed in 全角 mode
    ("选票码K7QM4XPR", "K7QM4XPR"),
    ("", ""),
    (None, ""),
])
def test_normalise_typed_code(typed, stored):
    assert codes.normalise(typed) == stored


@pytest.mark.parametrize("typed", [
    "K7QM4XPR,ACDEFGHJ", "K7QM4XPR\uff0cACDEFGHJ", "K7QM4XPR\u3001ACDEFGHJ", "K7QM4XPR\uff1bACDEFGHJ",
    "K7QM4XPR;ACDEFGHJ", "K7QM-4XPR\u3000ACDE-FGHJ", " k7qm4xpr ,\n acdefghj \uff0c",
])
def test_split_codes_on_any_separator(typed):
    assert codes.split(typed) == ["K7QM4XPR", "ACDEFGHJ"]


def test_is_plausible_only_alphabet_and_length():
    assert codes.is_plausible("K7QM4XPR", 8)
    assert not codes.is_plausible("K7QM4XP0", 8)
    assert not codes.is_plausible("K7QM", 8)


def test_display_groups_of_four():
    assert codes.display("K7QM4XPR") == "K7QM-4XPR"
    assert codes.display("K7QM4XPRAC") == "K7QM-4XPR-AC"
