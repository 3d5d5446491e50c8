"""core.enums: a LabelledEnum member carries its label, translated when read, and every
LabelledEnum reaches the templates by its own class name (no route passes enums or label dicts)."""
from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import meta

import yishi.app  # noqa: F401 — imports every domain, so every enum is registered
from yishi.core import enums, i18n, pdf
from yishi.core.enums import LabelledEnum
from yishi.wishlists.enums import RoundStatus

pytestmark = pytest.mark.pure

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_label_is_translated_when_read():
    assert RoundStatus("voting") is RoundStatus.voting
    with i18n.language("zh_CN"):
        assert RoundStatus.voting.label == "群众勾选中"
    with i18n.language("en"):
        assert RoundStatus.voting.label == "Residents ticking"


def test_every_enum_renders_by_its_own_name_in_a_template():
    env = pdf._environment()
    assert len(enums.REGISTRY) >= 25
    for name, cls in enums.REGISTRY.items():
        first = next(iter(cls))
        with i18n.language("en"):
            template = f"{{{{ {name}('{first.value}').label }}}}|{{{{ {name} | list | length }}}}"
            shown = env.from_string(template).render()
            assert shown == f"{first.label}|{len(cls)}", name


def test_two_enums_of_one_name_fail_at_import():
    with pytest.raises(TypeError, match="two LabelledEnums named RoundStatus"):
        class RoundStatus(LabelledEnum):  # the clash is the point
            draft = "draft", "x"


def test_templates_name_no_capitalised_variable_that_is_not_a_global():
    """An alias a route used to pass (`S.planning`, `Status.voting`, `SStatus`) is caught here even
    on a branch no test renders: every capitalised name a template reads is a registered enum or a
    global of the environment."""
    env = pdf._environment()
    unknown = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        names = meta.find_undeclared_variables(env.parse(path.read_text(encoding="utf-8")))
        if wrong := sorted(n for n in names if n[:1].isupper() and n not in env.globals):
            unknown[str(path.relative_to(TEMPLATES))] = wrong
    assert unknown == {}
