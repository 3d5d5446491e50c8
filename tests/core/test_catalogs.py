"""The gettext catalogs are current and complete: what `make i18n` would extract is what
locale/yishi.pot holds, both catalogs carry every message, and every English entry is translated,
not fuzzy, with the placeholders of its Chinese source. A new or changed string fails here until
`make i18n` is run and its English written."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from yishi.core import i18n

pytestmark = pytest.mark.pure

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "N_": None,
            "_l": None, "lazy_gettext": None}  # the Makefile's: Babel's defaults plus -k _l -k lazy_gettext
PLACEHOLDERS = re.compile(r"%\(\w+\)[sd]|\{\w*\}|%%")


def _ids(messages) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in messages if m.id}


def _keys(messages) -> set[tuple[str, str | None]]:
    """(singular, plural or None) of each message: a message that became plural (ngettext) in the
    code but is still singular in a catalog is a different entry."""
    return {(m.id, None) if isinstance(m.id, str) else (m.id[0], m.id[1]) for m in messages if m.id}


def _placeholders(text: str) -> list[str]:
    return sorted(set(PLACEHOLDERS.findall(text)))


def _catalog(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def test_pot_holds_exactly_what_the_code_and_templates_say():
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    extracted = {(m[2], None) if isinstance(m[2], str) else (m[2][0], m[2][1])
                 for m in extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS,
                                           comment_tags=(), strip_comment_tags=True)}
    extracted.discard(("", None))
    pot = _keys(_catalog(LOCALE / "yishi.pot"))
    assert sorted(extracted - pot) == [], "strings not in locale/yishi.pot: run `make i18n`"
    assert sorted(pot - extracted) == [], "strings gone from the code still in locale/yishi.pot: run `make i18n`"


@pytest.mark.parametrize("locale", list(i18n.LOCALES))
def test_each_catalog_carries_every_message_of_the_pot(locale):
    pot = _keys(_catalog(LOCALE / "yishi.pot"))
    po = _keys(_catalog(LOCALE / locale / "LC_MESSAGES" / "yishi.po"))
    assert sorted(pot - po) == [] and sorted(po - pot) == [], "run `make i18n`"


def test_every_english_entry_is_translated_not_fuzzy_with_its_placeholders(capsys):
    catalog = _catalog(LOCALE / "en" / "LC_MESSAGES" / "yishi.po")
    entries = [m for m in catalog if m.id]
    missing, fuzzy, broken = [], [], []
    for m in entries:
        source = m.id if isinstance(m.id, str) else m.id[0]
        strings = m.string if isinstance(m.string, (list, tuple)) else [m.string]
        if not all(strings):
            missing.append(source)
        elif m.fuzzy:
            fuzzy.append(source)
        elif any(_placeholders(source) != _placeholders(s) for s in strings):
            broken.append(source)
    done = len(entries) - len(missing) - len(fuzzy)
    with capsys.disabled():
        print(f"\nEnglish catalog: {done} of {len(entries)} messages translated")
    assert missing == [], f"{len(missing)} English entries missing (write them in locale/en/LC_MESSAGES/yishi.po)"
    assert fuzzy == [], f"{len(fuzzy)} English entries fuzzy (check them, then remove the fuzzy flag)"
    assert broken == [], "English entries whose placeholders differ from the Chinese"


def test_english_translation_is_used_and_chinese_is_the_source():
    with i18n.language("en"):
        assert i18n.gettext("请先登录。") == "Please sign in first."
    with i18n.language("zh_CN"):
        assert i18n.gettext("请先登录。") == "请先登录。"
    assert i18n.gettext("请先登录。") == "请先登录。"  # the default outside any request


def test_plural_forms_english_two_chinese_one():
    """English says "1 ballot" and "3 ballots"; Chinese has one form ("1 张选票", "3 张选票")."""
    en = _catalog(LOCALE / "en" / "LC_MESSAGES" / "yishi.po")
    zh = _catalog(LOCALE / "zh_CN" / "LC_MESSAGES" / "yishi.po")
    assert (en.num_plurals, en.plural_expr) == (2, "(n != 1)")
    assert (zh.num_plurals, zh.plural_expr) == (1, "0")
    plurals = [m for m in en if m.id and not isinstance(m.id, str)]
    assert len(plurals) >= 40, "the counts shown on pages go through ngettext"
    wrong = [m.id[0] for m in plurals if len(m.string) != 2 or m.string[0] == m.string[1]]
    assert wrong == [], "English plural entries need a singular and a different plural form"
    with i18n.language("en"):
        assert [i18n.ngettext("%(num)s 张选票", "%(num)s 张选票", n) % {"num": n} for n in (1, 3)] == [
            "1 ballot", "3 ballots"]
    with i18n.language("zh_CN"):
        assert [i18n.ngettext("%(num)s 张选票", "%(num)s 张选票", n) % {"num": n} for n in (1, 3)] == [
            "1 张选票", "3 张选票"]
