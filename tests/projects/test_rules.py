"""蓝黄红 on plain data: working days (国庆, 调休 weekends, local additions), milestones due today,
overdue, late and missing weekly reports, the end date."""
from datetime import date

from yishi.projects.enums import Colour, ProjectState
from yishi.projects.rules import Calendar, MilestoneView, Thresholds, leverage, owed_weeks, supervise

CAL = Calendar()


def colour_of(today, milestones=(), reported=None, started=date(2026, 11, 2), end=date(2026, 12, 31), **kw):
    """A project started Monday 2 November 2026; by default every owed week is reported."""
    weeks = owed_weeks(started, today) if reported is None else reported
    return supervise(state=ProjectState.underway, today=today, started_on=started, planned_end=end,
                     milestones=list(milestones), reported_weeks=weeks, calendar=kw.pop("calendar", CAL), **kw)


def test_workdays_national_day_week_has_none():
    assert CAL.workdays_after(date(2026, 9, 30), date(2026, 10, 7)) == 0


def test_workdays_tiaoxiu_saturday_counts():
    # Saturday 10 October 2026 is a make-up workday; Sunday the 11th is not.
    assert CAL.workdays_after(date(2026, 10, 9), date(2026, 10, 12)) == 2
    assert CAL.workdays_after(date(2026, 10, 16), date(2026, 10, 19)) == 1


def test_workdays_local_addition_wins():
    local = Calendar({date(2026, 11, 16): False, date(2026, 11, 21): True})
    # Tue–Fri 17–20, the local workday Sat 21, Mon 23; not the local holiday Mon 16.
    assert local.workdays_after(date(2026, 11, 13), date(2026, 11, 23)) == 6
    assert [local.is_workday(date(2026, 11, d)) for d in (16, 21, 22)] == [False, True, False]


def test_calendar_covers_2026_not_2027_falls_back_to_weekdays():
    assert (Calendar.covers(2026), Calendar.covers(2027)) == (True, False)
    # 1 January 2027 is a Friday: without the national schedule it counts as a workday.
    assert [CAL.is_workday(date(2027, 1, d)) for d in (1, 2, 4)] == [True, False, True]


def test_owed_weeks_start_with_the_first_monday_on_or_after_start():
    assert owed_weeks(date(2026, 11, 4), date(2026, 11, 29)) == [date(2026, 11, 9), date(2026, 11, 16)]
    assert owed_weeks(date(2026, 11, 4), date(2026, 11, 30))[-1] == date(2026, 11, 23)
    assert owed_weeks(date(2026, 11, 2), date(2026, 11, 9)) == [date(2026, 11, 2)]
    assert owed_weeks(date(2026, 11, 2), date(2026, 11, 8)) == []
    assert owed_weeks(None, date(2026, 11, 8)) == []


def test_colour_all_reported_no_milestone_near_green():
    s = colour_of(date(2026, 11, 18), [MilestoneView("招标完成", date(2026, 11, 30))])
    assert (s.colour, s.reason) == (Colour.green, "按计划推进")


def test_colour_milestone_due_today_blue():
    s = colour_of(date(2026, 11, 18), [MilestoneView("招标完成", date(2026, 11, 18))])
    assert (s.colour, s.reason) == (Colour.blue, "节点“招标完成”今天到期")


def test_colour_milestone_due_within_three_workdays_across_weekend_blue():
    # Thursday 19 → Tuesday 24: Fri, Mon, Tue = 3 working days.
    s = colour_of(date(2026, 11, 19), [MilestoneView("招标完成", date(2026, 11, 24))])
    assert (s.colour, s.reason) == (Colour.blue, "节点“招标完成”还有 3 个工作日到期")
    assert colour_of(date(2026, 11, 19), [MilestoneView("招标完成", date(2026, 11, 25))]).colour is Colour.green


def test_colour_milestone_overdue_four_workdays_yellow():
    s = colour_of(date(2026, 11, 20), [MilestoneView("招标完成", date(2026, 11, 16))])
    assert (s.colour, s.reason) == (Colour.yellow, "节点“招标完成”已逾期 4 个工作日")


def test_colour_milestone_overdue_six_workdays_red():
    s = colour_of(date(2026, 11, 24), [MilestoneView("招标完成", date(2026, 11, 16)),
                                       MilestoneView("进场施工", date(2026, 11, 23))])
    assert (s.colour, s.reasons) == (Colour.red, ("节点“招标完成”已逾期 6 个工作日",))


def test_colour_milestone_done_ignored():
    s = colour_of(date(2026, 11, 24), [MilestoneView("招标完成", date(2026, 11, 16), done_on=date(2026, 11, 16))])
    assert s.colour is Colour.green


def test_colour_milestone_over_the_weekend_yellow_without_workdays():
    s = colour_of(date(2026, 11, 22), [MilestoneView("招标完成", date(2026, 11, 20))])
    assert (s.colour, s.reason) == (Colour.yellow, "节点“招标完成”已于 11月20日 到期，尚未完成")


def test_colour_milestone_due_before_national_day_counts_only_workdays():
    s = colour_of(date(2026, 10, 8), [MilestoneView("招标完成", date(2026, 9, 30))], started=date(2026, 9, 7),
                  end=date(2026, 12, 31))
    assert (s.colour, s.reason) == (Colour.yellow, "节点“招标完成”已逾期 1 个工作日")


def test_colour_report_one_day_late_blue():
    # Week 16–22 November ends on Sunday; Monday 23 without its report.
    reported = [date(2026, 11, 2), date(2026, 11, 9)]
    s = colour_of(date(2026, 11, 23), reported=reported)
    assert (s.colour, s.reason) == (Colour.blue, "11月16日—11月22日 的周报已迟交 1 个工作日")


def test_colour_report_missing_yellow_two_missing_red():
    s = colour_of(date(2026, 11, 24), reported=[date(2026, 11, 2), date(2026, 11, 9)])
    assert (s.colour, s.reason) == (Colour.yellow, "缺 1 期周报（11月16日—11月22日）")
    assert s.missing_reports == (date(2026, 11, 16),)
    s = colour_of(date(2026, 12, 1), reported=[date(2026, 11, 2), date(2026, 11, 9)])
    assert (s.colour, s.reason) == (Colour.red, "缺 2 期周报（11月16日—11月22日、11月23日—11月29日）")


def test_colour_report_owed_over_national_day_not_late_until_a_workday():
    started = date(2026, 9, 21)
    reported = [date(2026, 9, 21)]  # the week 28 Sep – 4 Oct is owed
    assert colour_of(date(2026, 10, 7), reported=reported, started=started).colour is Colour.green
    s = colour_of(date(2026, 10, 8), reported=reported, started=started)
    assert (s.colour, s.reason) == (Colour.blue, "9月28日—10月4日 的周报已迟交 1 个工作日")
    assert colour_of(date(2026, 10, 9), reported=reported, started=started).colour is Colour.yellow


def test_colour_thresholds_per_district():
    strict = Thresholds(blue_due_within=5, red_overdue_days=2, red_missing_reports=1)
    s = colour_of(date(2026, 11, 20), [MilestoneView("招标完成", date(2026, 11, 16))], thresholds=strict)
    assert (s.colour, s.reason) == (Colour.red, "节点“招标完成”已逾期 4 个工作日")


def test_colour_end_date_passed_red_first():
    s = colour_of(date(2027, 1, 4), [MilestoneView("竣工验收", date(2026, 12, 31))], started=date(2026, 12, 28),
                  end=date(2026, 12, 31))
    assert s.colour is Colour.red
    assert s.reasons == ("计划完工日期 2026-12-31 已过",)


def test_colour_not_underway_not_supervised():
    s = supervise(state=ProjectState.paused, today=date(2026, 12, 1), started_on=date(2026, 11, 2),
                  planned_end=date(2026, 11, 20), milestones=[], reported_weeks=[], calendar=CAL)
    assert (s.colour, s.reason) == (Colour.none, "暂缓，不督办")


def test_leverage_social_over_public():
    assert (leverage(36_000_000_00, 30_000_000_00), leverage(5, 0)) == (1.2, None)
