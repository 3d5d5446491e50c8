"""The templates' filters for user data inside translated text (issue 14: the English page walk
skips what is marked translate="no", and so does a browser's translator)."""
import pytest
from markupsafe import escape

from yishi.core.i18n import language
from yishi.core.templating import fill, joined, typed, user_data

pytestmark = pytest.mark.pure


def test_user_data_marks_and_escapes_a_name():
    assert str(user_data("大弯<社区>")) == '<span translate="no">大弯&lt;社区&gt;</span>'


def test_user_data_leaves_nothing_to_mark_empty():
    assert user_data("") == "" and user_data(None) is None


def test_a_line_marks_each_typed_value_where_it_was_put_in():
    line = joined("", ["派单", "（", joined("；", [fill("主办：{unit}", unit=typed("城市管理办公室")),
                                                 fill("协办：{units}", units=typed("大弯街道城市管理办公室"))]), "）"])
    assert line == "派单（主办：城市管理办公室；协办：大弯街道城市管理办公室）"
    assert str(escape(line)) == (
        '派单（主办：<span translate="no">城市管理办公室</span>；'
        '协办：<span translate="no">大弯街道城市管理办公室</span>）')


def test_a_line_escapes_the_interface_text_and_what_was_typed():
    line = fill("理由：{text} & 快", text=typed("<b>急</b>"))
    assert line == "理由：<b>急</b> & 快"
    assert str(escape(line)) == '理由：<span translate="no">&lt;b&gt;急&lt;/b&gt;</span> &amp; 快'


def test_a_typed_value_that_reads_like_interface_words_is_marked_and_they_are_not():
    """A unit named 派单 (an interface word): the line's own 派单 stays interface text."""
    line = joined("", ["派单", "（", fill("主办：{unit}", unit=typed("派单")), "）"])
    assert str(escape(line)) == '派单（主办：<span translate="no">派单</span>）'


def test_punctuation_is_a_message_english_writes_its_own_way():
    from yishi.core.i18n import gettext as _
    with language("en"):
        assert [_(p) for p in "（）：，、；"] == [" (", ")", ": ", ", ", ", ", "; "]
    assert [_(p) for p in "（）："] == ["（", "）", "："]
