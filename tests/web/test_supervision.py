"""督办设置: the administrator keeps a district's 蓝黄红 thresholds and local calendar; nobody else."""
from __future__ import annotations

from datetime import date

import pytest

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.projects import supervision
from yishi.projects.rules import DEFAULTS
from yishi.projects.tables import CalendarDay


async def _admin(client):
    places = await f.make_places()
    admin = await f.make_user(Role.admin, places)
    token = await f.login(client, admin.username)
    return places, token


async def test_supervision_thresholds_saved_by_the_administrator(client):
    places, token = await _admin(client)
    r = await client.post("/supervision/thresholds", data={
        "_csrf_token": token, "district": str(places["district"]), "blue_due_within": "5",
        "report_grace_days": "2", "red_overdue_days": "10", "red_missing_reports": "3"})
    assert r.status_code in (302, 303)
    t = await supervision.thresholds_of(places["district"])
    assert (t.blue_due_within, t.report_grace_days, t.red_overdue_days, t.red_missing_reports) == (5, 2, 10, 3)
    page = await client.get(f"/supervision/?district={places['district']}&saved=thresholds")
    assert "督办阈值已保存" in page.text


async def test_supervision_thresholds_junk_refused_in_chinese_nothing_saved(client):
    places, token = await _admin(client)
    r = await client.post("/supervision/thresholds", data={
        "_csrf_token": token, "district": str(places["district"]), "blue_due_within": "五",
        "report_grace_days": "2", "red_overdue_days": "10", "red_missing_reports": "3"})
    assert r.status_code == 400
    assert "蓝色提醒的提前工作日数应为整数" in r.text
    assert 'value="五"' in r.text  # what was typed comes back
    assert await supervision.thresholds_of(places["district"]) == DEFAULTS


async def test_supervision_local_holiday_added_and_removed(client):
    places, token = await _admin(client)
    data = {"_csrf_token": token, "district": str(places["district"]), "day": "2026-07-15", "workday": "0",
            "note": "防汛放假"}
    assert (await client.post("/supervision/calendar", data=data)).status_code in (302, 303)
    cal = await supervision.calendar_of(places["district"])
    assert cal.is_workday(date(2026, 7, 15)) is False
    again = await client.post("/supervision/calendar", data=data)
    assert again.status_code == 409 and "已经登记过了" in again.text
    assert await CalendarDay.count() == 1
    r = await client.post("/supervision/calendar/delete", data={
        "_csrf_token": token, "district": str(places["district"]), "day": "2026-07-15"})
    assert r.status_code in (302, 303)
    assert await CalendarDay.count() == 0


@pytest.mark.parametrize("role", [Role.street_staff, Role.convener, Role.district_reviewer, Role.unit_clerk])
async def test_supervision_settings_refused_to_everyone_but_the_administrator(client, role):
    places = await f.make_places()
    if role is Role.unit_clerk:
        user = await f.make_clerk(places, await f.make_unit(places))
    else:
        user = await f.make_user(role, places)
    token = await f.login(client, user.username)
    assert (await client.get(f"/supervision/?district={places['district']}")).status_code == 403
    r = await client.post("/supervision/thresholds", data={
        "_csrf_token": token, "district": str(places["district"]), "blue_due_within": "9",
        "report_grace_days": "2", "red_overdue_days": "10", "red_missing_reports": "3"})
    assert r.status_code == 403
    assert await supervision.thresholds_of(places["district"]) == DEFAULTS
