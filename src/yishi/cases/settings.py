"""A district's time limits for cases (签收, 四级响应, working days per track and kind, colours)."""
from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from yishi.cases.enums import CaseKind
from yishi.cases.rules import DEFAULT_WORKDAYS, DEFAULTS, Limits
from yishi.cases.tables import CaseSettings
from yishi.core import audit
from yishi.core.errors import InvalidInput
from yishi.core.i18n import _
from yishi.suggestions.enums import Track

HOURS = ("accept_hours", "urgent_accept_hours", "urgent_hours", "critical_hours")


def _from_row(row: dict) -> Limits:
    stored = row["workdays"]
    if isinstance(stored, str):
        stored = json.loads(stored or "{}")
    workdays = {t: {**kinds, **(stored or {}).get(t, {})} for t, kinds in DEFAULT_WORKDAYS.items()}
    return Limits(accept_hours=row["accept_hours"], urgent_accept_hours=row["urgent_accept_hours"],
                  urgent_hours=row["urgent_hours"], critical_hours=row["critical_hours"], workdays=workdays,
                  blue_within=row["blue_within"], red_after=row["red_after"])


async def of_district(district_id: int) -> Limits:
    row = await CaseSettings.select().where(CaseSettings.district == district_id).first().run()
    return DEFAULTS if row is None else _from_row(row)


def check(values: dict[str, Any]) -> Limits:
    """The form's numbers as Limits, or InvalidInput naming the first that is out of range."""
    for name in HOURS:
        if not 1 <= values[name] <= 720:
            raise InvalidInput(_("小时数应在 1 到 720 之间。"), name)
    if values["critical_hours"] > values["urgent_hours"]:
        raise InvalidInput(_("特急件的时限不能长于紧急件。"), "critical_hours")
    for track in Track:
        for kind in CaseKind:
            if not 1 <= values["workdays"][track.value][kind.value] <= 120:
                raise InvalidInput(_("工作日数应在 1 到 120 之间。"), f"wd_{track.value}_{kind.value}")
    if not 0 <= values["blue_within"] <= 30 or not 0 <= values["red_after"] <= 60:
        raise InvalidInput(_("蓝色提醒应为 0 到 30 个工作日，转红应为 0 到 60 个工作日。"), "red_after")
    return Limits(**values)


async def set_district(district_id: int, values: dict[str, Any], *, actor: Any) -> Limits:
    limits = check(values)
    columns = asdict(limits)
    if await CaseSettings.exists().where(CaseSettings.district == district_id):
        await CaseSettings.update({getattr(CaseSettings, k): v for k, v in columns.items()}).where(
            CaseSettings.district == district_id).run()
    else:
        await CaseSettings.insert(CaseSettings(district=district_id, **columns)).run()
    await audit.record("case.settings.set", actor=actor, object_type="district", object_id=district_id, **columns)
    return limits
