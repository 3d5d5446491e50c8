"""The district's thresholds (advice, bands, the ledger's due dates) and the street's one
setting (whether residents may rate a project still under way)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from yishi.core import audit
from yishi.core.errors import DomainError
from yishi.core.i18n import _
from yishi.evaluation.rules import AdviceRule, BandRule
from yishi.evaluation.tables import DistrictSettings, StreetSettings


@dataclass(frozen=True)
class Settings:
    advice: AdviceRule = field(default_factory=AdviceRule)
    bands: BandRule = field(default_factory=BandRule)
    case_due_workdays: int = 5
    case_red_after: int = 3
    case_rating_days: int = 15  # 回访: a case may be rated this many days after its answer


DEFAULTS = Settings()
FIELDS = ("extend_at_pct", "min_ratings", "advanced_at_pct", "improving_points", "rectify_below_pct",
          "case_due_workdays", "case_red_after", "case_rating_days")


def _from_row(row: dict) -> Settings:
    return Settings(AdviceRule(row["extend_at_pct"] / 100, row["min_ratings"]),
                    BandRule(row["advanced_at_pct"] / 100, float(row["improving_points"]),
                             row["rectify_below_pct"] / 100),
                    row["case_due_workdays"], row["case_red_after"], row["case_rating_days"])


def as_form(s: Settings) -> dict[str, int]:
    return {"extend_at_pct": round(s.advice.extend_at * 100), "min_ratings": s.advice.min_ratings,
            "advanced_at_pct": round(s.bands.advanced_at * 100), "improving_points": round(s.bands.improving_points),
            "rectify_below_pct": round(s.bands.rectify_below * 100), "case_due_workdays": s.case_due_workdays,
            "case_red_after": s.case_red_after, "case_rating_days": s.case_rating_days}


async def of_district(district_id: int) -> Settings:
    row = await DistrictSettings.select().where(DistrictSettings.district == district_id).first().run()
    return DEFAULTS if row is None else _from_row(row)


async def set_district(district_id: int, values: dict[str, int], *, actor: Any) -> Settings:
    for pct in ("extend_at_pct", "advanced_at_pct", "rectify_below_pct"):
        if not 0 <= values[pct] <= 100:
            raise DomainError(_("百分比应在 0 到 100 之间。"))
    if values["rectify_below_pct"] > values["advanced_at_pct"]:
        raise DomainError(_("整改类的线不能高于先进类的线。"))
    if not 1 <= values["min_ratings"] <= 10000 or not 0 <= values["improving_points"] <= 100:
        raise DomainError(_("最少评价条数应在 1 到 10000 之间，进步幅度应在 0 到 100 个百分点之间。"))
    if not 1 <= values["case_due_workdays"] <= 60 or not 0 <= values["case_red_after"] <= 60:
        raise DomainError(_("台账答复期限应为 1 到 60 个工作日，转红天数为 0 到 60 个工作日。"))
    if not 1 <= values["case_rating_days"] <= 90:
        raise DomainError(_("回访评价期应为答复后 1 到 90 天。"))
    columns = {getattr(DistrictSettings, f): values[f] for f in FIELDS}
    if await DistrictSettings.exists().where(DistrictSettings.district == district_id):
        await DistrictSettings.update(columns).where(DistrictSettings.district == district_id).run()
    else:
        await DistrictSettings.insert(DistrictSettings({DistrictSettings.district: district_id, **columns})).run()
    await audit.record("evaluation.settings.set", actor=actor, object_type="district", object_id=district_id,
                       **{f: values[f] for f in FIELDS})
    return await of_district(district_id)


async def rate_while_underway(town_id: int) -> bool:
    row = await StreetSettings.select(StreetSettings.rate_while_underway).where(
        StreetSettings.town == town_id).first().run()
    return bool(row and row["rate_while_underway"])


async def set_rate_while_underway(town_id: int, allowed: bool, *, actor: Any) -> None:
    if await StreetSettings.exists().where(StreetSettings.town == town_id):
        await StreetSettings.update({StreetSettings.rate_while_underway: allowed}).where(
            StreetSettings.town == town_id).run()
    else:
        await StreetSettings.insert(StreetSettings(town=town_id, rate_while_underway=allowed)).run()
    await audit.record("evaluation.street.underway_rating", actor=actor, object_type="town", object_id=town_id,
                       allowed=allowed)
