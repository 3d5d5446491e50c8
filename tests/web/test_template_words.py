"""Every string a template shows goes through _() in Chinese: no English words in it beyond a short
list of names people here use as they are, and no half-width , ; : ! ? beside Chinese characters
(issue 18 found "（.xlsx）,按" and "MES" on staff pages). Placeholders and addresses are left out."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Names kept in Latin letters: file kinds, the voting rule's abbreviation in its explanation,
# units, the 5+X council. ("Pabulib" on the round pages became 参与式预算数据文件（.pb）.)
ALLOWED = {"PDF", "Excel", "CSV", "xlsx", "pb", "MES", "QR", "MB", "KB", "A4", "X", "HEIC", "JPG", "PNG"}
CJK = "\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"
HALF_WIDTH = re.compile(rf"[{CJK}][,;:!?]|[,;:!?][{CJK}]")
WORD = re.compile(r"[A-Za-z]{2,}")
STRING = re.compile(r"""_\(\s*(["'])(.*?)\1""")

pytestmark = pytest.mark.pure


def _strings():
    for path in sorted(TEMPLATES.rglob("*.html")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in STRING.finditer(line):
                # Placeholders, addresses, tags, setting names (YISHI_PUBLIC_URL) and the examples
                # of what a user types (例如 ACDE-FGHJ, 例如 dawan_wang) are no words of the UI.
                text = re.sub(r"https?://[\w./-]+", "", match.group(2))
                text = re.sub(r"%\(\w+\)[sd]|\{\{.*?\}\}|<[^>]+>|\b[A-Z]+(?:_[A-Z]+)+\b|例如\s*[\w-]+",
                              "", text)
                yield f"{path.relative_to(TEMPLATES)}:{n}", text


def test_no_half_width_punctuation_beside_chinese_in_templates():
    assert [(where, t) for where, t in _strings() if HALF_WIDTH.search(t)] == []


def test_no_english_words_in_template_strings_beyond_the_short_list():
    found = [(where, w) for where, t in _strings() for w in WORD.findall(t) if w not in ALLOWED]
    assert found == []
