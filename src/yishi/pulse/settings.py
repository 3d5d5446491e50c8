"""The district's early-warning rule, set by the district as 评实效's thresholds are
(evaluation.settings): one row per district, the defaults without one, each change audited."""
from __future__ import annotations

from typing import Any

from yishi.core import audit
from yishi.core.errors import InvalidInput
from yishi.core.i18n import _
from yishi.pulse.rules import WarningRule
from yishi.pulse.tables import PulseSettings

DEFAULTS = WarningRule()
FACTOR_RANGE = (1.5, 20.0)
MIN_COUNT_RANGE = (1, 1000)
WEEKS_RANGE = (4, 26)


def as_form(rule: WarningRule) -> dict[str, str]:
    return {"factor": f"{rule.factor:g}", "min_count": str(rule.min_count), "weeks": str(rule.weeks)}


async def of_district(district_id: int) -> WarningRule:
    row = await PulseSettings.select().where(PulseSettings.district == district_id).first().run()
    return DEFAULTS if row is None else WarningRule(float(row["factor"]), row["min_count"], row["weeks"])


def check(factor: float, min_count: int, weeks: int) -> WarningRule:
    if not FACTOR_RANGE[0] <= factor <= FACTOR_RANGE[1]:
        raise InvalidInput(_("预警倍数应在 {a:g} 到 {b:g} 之间。").format(a=FACTOR_RANGE[0], b=FACTOR_RANGE[1]),
                           "factor")
    if not MIN_COUNT_RANGE[0] <= min_count <= MIN_COUNT_RANGE[1]:
        raise InvalidInput(_("最少件数应在 {a} 到 {b} 之间。").format(a=MIN_COUNT_RANGE[0], b=MIN_COUNT_RANGE[1]),
                           "min_count")
    if not WEEKS_RANGE[0] <= weeks <= WEEKS_RANGE[1]:
        raise InvalidInput(_("比较的周数应在 {a} 到 {b} 之间。").format(a=WEEKS_RANGE[0], b=WEEKS_RANGE[1]), "weeks")
    return WarningRule(round(factor, 2), min_count, weeks)


async def set_district(district_id: int, factor: float, min_count: int, weeks: int, *, actor: Any) -> WarningRule:
    rule = check(factor, min_count, weeks)
    values = {"factor": rule.factor, "min_count": rule.min_count, "weeks": rule.weeks}
    if await PulseSettings.exists().where(PulseSettings.district == district_id):
        await PulseSettings.update({getattr(PulseSettings, k): v for k, v in values.items()}).where(
            PulseSettings.district == district_id).run()
    else:
        await PulseSettings.insert(PulseSettings(district=district_id, factor=rule.factor, min_count=rule.min_count,
                                                 weeks=rule.weeks)).run()
    await audit.record("pulse.settings.set", actor=actor, object_type="district", object_id=district_id, **values)
    return rule
