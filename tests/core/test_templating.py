"""The templates' filters for user data inside translated text (issue 14: the English page walk
skips what is marked translate="no", and so does a browser's translator)."""
import pytest

from yishi.core.i18n import language
from yishi.core.templating import mark_typed, user_data

pytestmark = pytest.mark.pure


def test_user_data_marks_and_escapes_a_name():
    assert str(user_data("大弯<社区>")) == '<span translate="no">大弯&lt;社区&gt;</span>'


def test_user_data_leaves_nothing_to_mark_empty():
    assert user_data("") == "" and user_data(None) is None


def test_mark_typed_marks_each_typed_part_once_longest_first():
    line = "派单（主办：城市管理办公室；协办：大弯街道城市管理办公室）"
    assert str(mark_typed(line, ["城市管理办公室", "大弯街道城市管理办公室"])) == (
        '派单（主办：<span translate="no">城市管理办公室</span>；'
        '协办：<span translate="no">大弯街道城市管理办公室</span>）')


def test_mark_typed_escapes_the_line_and_what_was_typed():
    assert str(mark_typed("理由：<b>急</b> & 快", ["<b>急</b>"])) == (
        '理由：<span translate="no">&lt;b&gt;急&lt;/b&gt;</span> &amp; 快')
    assert str(mark_typed("受理", [])) == "受理"


def test_punctuation_is_a_message_english_writes_its_own_way():
    from yishi.core.i18n import gettext as _
    with language("en"):
        assert [_(p) for p in "（）：，、；"] == [" (", ")", ": ", ", ", ", ", "; "]
    assert [_(p) for p in "（）："] == ["（", "）", "："]
