"""Recurrence rules against dates known from outside the code.

The lunar dates below were checked against an independent astronomical
computation (new moons by Meeus, Astronomical Algorithms ch. 49, and the
sun's longitude for the major solar terms, ch. 25, in Beijing time), not
only against lunardate, and against the published festival dates.
"""

import datetime as dt

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from lunardate import LunarDate

from gongzhi.core.errors import ValidationFailed
from gongzhi.volunteering.recurrence import (
    FESTIVAL_DAYS,
    LAST_DAY,
    MAX_OCCURRENCES,
    MAX_YEARS,
    Festival,
    Frequency,
    Rule,
    describe,
    lunar_label,
    occurrences,
)

D = dt.date

# 初一 of each month of lunar 2026 (no leap month), 正月 to 腊月.
FIRSTS_2026 = [
    D(2026, 2, 17),
    D(2026, 3, 19),
    D(2026, 4, 17),
    D(2026, 5, 17),
    D(2026, 6, 15),
    D(2026, 7, 14),
    D(2026, 8, 13),
    D(2026, 9, 11),
    D(2026, 10, 10),
    D(2026, 11, 9),
    D(2026, 12, 9),
    D(2027, 1, 8),
]
FIFTEENTHS_2026 = [
    D(2026, 3, 3),
    D(2026, 4, 2),
    D(2026, 5, 1),
    D(2026, 5, 31),
    D(2026, 6, 29),
    D(2026, 7, 28),
    D(2026, 8, 27),
    D(2026, 9, 25),
    D(2026, 10, 24),
    D(2026, 11, 23),
    D(2026, 12, 23),
    D(2027, 1, 22),
]


def lunar_days(*days, until, start, count=None):
    rule = Rule(Frequency.LUNAR_MONTHLY, lunar_days=days, until=until, count=count)
    return occurrences(rule, start=start)


def test_market_on_every_first_of_lunar_2026():
    dates = lunar_days(1, start=D(2026, 2, 17), until=D(2027, 2, 5))
    assert dates == FIRSTS_2026


def test_market_on_every_fifteenth_of_lunar_2026():
    dates = lunar_days(15, start=D(2026, 2, 17), until=D(2027, 2, 5))
    assert dates == FIFTEENTHS_2026


def test_market_on_first_and_fifteenth_interleaves_them():
    dates = lunar_days(15, 1, start=D(2026, 2, 17), until=D(2027, 2, 5))
    assert dates == sorted(FIRSTS_2026 + FIFTEENTHS_2026)


def test_leap_sixth_month_of_2025_has_its_own_market_days():
    dates = lunar_days(1, 15, start=D(2025, 6, 20), until=D(2025, 8, 31))
    assert dates == [
        D(2025, 6, 25),
        D(2025, 7, 9),
        D(2025, 7, 25),
        D(2025, 8, 8),
        D(2025, 8, 23),
    ]
    assert [lunar_label(d) for d in dates] == [
        "农历六月初一",
        "农历六月十五",
        "农历闰六月初一",
        "农历闰六月十五",
        "农历七月初一",
    ]


def test_leap_second_month_of_2023_counts_as_a_month():
    dates = lunar_days(1, start=D(2023, 2, 1), until=D(2023, 5, 31))
    assert dates == [D(2023, 2, 20), D(2023, 3, 22), D(2023, 4, 20), D(2023, 5, 19)]
    assert lunar_label(D(2023, 3, 22)) == "农历闰二月初一"


def test_thirtieth_is_skipped_in_a_29_day_lunar_month():
    # 六月 2025 has 30 days, 闰六月 29, 七月 30.
    dates = lunar_days(30, start=D(2025, 6, 25), until=D(2025, 9, 30))
    assert dates == [D(2025, 7, 24), D(2025, 9, 21)]


def test_start_inside_a_lunar_month_skips_its_earlier_days():
    dates = lunar_days(1, 15, start=D(2026, 2, 18), until=D(2026, 3, 19))
    assert dates == [D(2026, 3, 3), D(2026, 3, 19)]


def test_festivals_fall_on_their_known_dates():
    rule = Rule(
        Frequency.LUNAR_YEARLY, festivals=tuple(Festival.values), until=D(2027, 2, 6)
    )
    assert occurrences(rule, start=D(2025, 10, 1)) == [
        D(2025, 10, 6),  # 中秋 2025
        D(2025, 10, 29),  # 重阳 2025
        D(2026, 2, 17),  # 春节 2026
        D(2026, 3, 3),  # 元宵 2026
        D(2026, 6, 19),  # 端午 2026
        D(2026, 9, 25),  # 中秋 2026
        D(2026, 10, 18),  # 重阳 2026
        D(2027, 2, 6),  # 春节 2027
    ]


def test_festival_is_held_in_the_regular_month_not_the_leap_one():
    # 2028 has a leap fifth month (闰五月 from 2028-06-23); 端午 is 五月初五.
    rule = Rule(Frequency.LUNAR_YEARLY, festivals=(Festival.DRAGON_BOAT,), count=1)
    assert occurrences(rule, start=D(2028, 1, 1)) == [D(2028, 5, 28)]
    assert lunar_label(D(2028, 5, 28)) == "农历五月初五"
    assert lunar_label(D(2028, 6, 27)) == "农历闰五月初五"


def test_festival_counts_run_year_after_year():
    rule = Rule(Frequency.LUNAR_YEARLY, festivals=("spring_festival",), count=2)
    assert occurrences(rule, start=D(2026, 2, 18)) == [D(2027, 2, 6), D(2028, 1, 26)]


def test_festivals_know_their_lunar_month_and_day():
    assert Festival.MID_AUTUMN.lunar_month_day == (8, 15)
    assert FESTIVAL_DAYS == {
        "spring_festival": (1, 1),
        "lantern": (1, 15),
        "dragon_boat": (5, 5),
        "mid_autumn": (8, 15),
        "double_ninth": (9, 9),
    }


def test_every_other_week_on_two_weekdays():
    # 2026-03-04 is a Wednesday; its week starts on Monday 2026-03-02.
    rule = Rule(Frequency.WEEKLY, interval=2, weekdays=(3, 0), count=5)
    dates = occurrences(rule, start=D(2026, 3, 4))
    assert dates == [
        D(2026, 3, 5),
        D(2026, 3, 16),
        D(2026, 3, 19),
        D(2026, 3, 30),
        D(2026, 4, 2),
    ]
    assert [d.weekday() for d in dates] == [3, 0, 3, 0, 3]


def test_monthly_on_the_31st_skips_shorter_months():
    rule = Rule(Frequency.MONTHLY, month_days=(31,), until=D(2026, 12, 31))
    assert occurrences(rule, start=D(2026, 1, 1)) == [
        D(2026, 1, 31),
        D(2026, 3, 31),
        D(2026, 5, 31),
        D(2026, 7, 31),
        D(2026, 8, 31),
        D(2026, 10, 31),
        D(2026, 12, 31),
    ]


def test_monthly_on_the_29th_finds_february_only_in_a_leap_year():
    rule = Rule(Frequency.MONTHLY, month_days=(29,), until=D(2028, 3, 1))
    dates = occurrences(rule, start=D(2027, 1, 30))
    assert D(2028, 2, 29) in dates
    assert not [d for d in dates if d.year == 2027 and d.month == 2]


def test_every_third_month_counts_from_the_start_month():
    rule = Rule(Frequency.MONTHLY, interval=3, month_days=(15, 1), count=5)
    assert occurrences(rule, start=D(2026, 1, 10)) == [
        D(2026, 1, 15),
        D(2026, 4, 1),
        D(2026, 4, 15),
        D(2026, 7, 1),
        D(2026, 7, 15),
    ]


def test_count_stops_before_until():
    rule = Rule(Frequency.WEEKLY, weekdays=(0,), count=3, until=D(2026, 12, 31))
    assert occurrences(rule, start=D(2026, 3, 2)) == [
        D(2026, 3, 2),
        D(2026, 3, 9),
        D(2026, 3, 16),
    ]


def test_until_stops_before_count_and_is_inclusive():
    rule = Rule(Frequency.WEEKLY, weekdays=(0,), count=10, until=D(2026, 3, 16))
    assert occurrences(rule, start=D(2026, 3, 2)) == [
        D(2026, 3, 2),
        D(2026, 3, 9),
        D(2026, 3, 16),
    ]


def test_a_series_of_exactly_the_cap_is_allowed():
    rule = Rule(Frequency.WEEKLY, weekdays=tuple(range(7)), count=MAX_OCCURRENCES)
    assert len(occurrences(rule, start=D(2026, 1, 1))) == MAX_OCCURRENCES


def test_until_on_the_last_allowed_day_is_allowed():
    rule = Rule(Frequency.MONTHLY, month_days=(1,), until=D(2031, 1, 1))
    assert len(occurrences(rule, start=D(2026, 1, 1))) == 61


YEARS_LATER = D(2026, 1, 1).replace(year=2026 + MAX_YEARS)
REFUSALS = {
    "no end at all": ({"weekdays": (0,)}, "until"),
    "until before start": ({"weekdays": (0,), "until": D(2025, 12, 31)}, "until"),
    "until too far": (
        {"weekdays": (0,), "until": YEARS_LATER + dt.timedelta(days=1)},
        "until",
    ),
    "until a datetime": (
        {"weekdays": (0,), "until": dt.datetime(2026, 2, 1, 9)},
        "until",
    ),
    "until a string": ({"weekdays": (0,), "until": "2026-02-01"}, "until"),
    "more than the cap before until": (
        {"weekdays": tuple(range(7)), "until": D(2027, 6, 1)},
        "until",
    ),
    "count zero": ({"weekdays": (0,), "count": 0}, "count"),
    "count over cap": ({"weekdays": (0,), "count": MAX_OCCURRENCES + 1}, "count"),
    "count a bool": ({"weekdays": (0,), "count": True}, "count"),
    "count a float": ({"weekdays": (0,), "count": 3.0}, "count"),
    "count beyond the years": ({"weekdays": (0,), "interval": 52, "count": 7}, "count"),
    "no weekdays": ({"weekdays": (), "count": 3}, "weekdays"),
    "weekday 7": ({"weekdays": (0, 7), "count": 3}, "weekdays"),
    "weekday a bool": ({"weekdays": (True,), "count": 3}, "weekdays"),
    "weekdays a string": ({"weekdays": "01", "count": 3}, "weekdays"),
    "month days on weekly": (
        {"weekdays": (0,), "month_days": (1,), "count": 3},
        "month_days",
    ),
    "interval zero": ({"weekdays": (0,), "interval": 0, "count": 3}, "interval"),
    "interval a float": ({"weekdays": (0,), "interval": 2.0, "count": 3}, "interval"),
    "interval too long": ({"weekdays": (0,), "interval": 53, "count": 3}, "interval"),
}


@pytest.mark.parametrize("kwargs,field", REFUSALS.values(), ids=REFUSALS.keys())
def test_weekly_refusals_name_their_field(kwargs, field):
    rule = Rule(Frequency.WEEKLY, **kwargs)
    with pytest.raises(ValidationFailed) as refused:
        occurrences(rule, start=D(2026, 1, 1))
    assert refused.value.field == field


OTHER_REFUSALS = {
    "unknown frequency": (Rule("daily", count=3), D(2026, 1, 1), "frequency"),
    "month day 0": (Rule("monthly", month_days=(0,), count=3), None, "month_days"),
    "month day 32": (Rule("monthly", month_days=(32,), count=3), None, "month_days"),
    "no month days": (Rule("monthly", count=3), None, "month_days"),
    "no lunar days": (Rule("lunar_monthly", count=3), None, "lunar_days"),
    "lunar day 31": (
        Rule("lunar_monthly", lunar_days=(31,), count=3),
        None,
        "lunar_days",
    ),
    "lunar day 0": (
        Rule("lunar_monthly", lunar_days=(0, 1), count=3),
        None,
        "lunar_days",
    ),
    "lunar interval": (
        Rule("lunar_monthly", interval=2, lunar_days=(1,), count=3),
        None,
        "interval",
    ),
    "festival interval": (
        Rule("lunar_yearly", interval=2, festivals=("lantern",), count=1),
        None,
        "interval",
    ),
    "no festivals": (Rule("lunar_yearly", count=1), None, "festivals"),
    "unknown festival": (
        Rule("lunar_yearly", festivals=("qingming",), count=1),
        None,
        "festivals",
    ),
    "festivals beyond the years": (
        Rule("lunar_yearly", festivals=("spring_festival",), count=MAX_YEARS + 1),
        None,
        "count",
    ),
    "start before the lunar calendar": (
        Rule("monthly", month_days=(1,), count=3),
        D(1899, 12, 1),
        "start",
    ),
    "start a datetime": (
        Rule("monthly", month_days=(1,), count=3),
        dt.datetime(2026, 1, 1, 9),
        "start",
    ),
    "until after the lunar calendar": (
        Rule("lunar_monthly", lunar_days=(1,), until=D(2100, 3, 1)),
        D(2099, 6, 1),
        "until",
    ),
    "count after the lunar calendar": (
        Rule("lunar_monthly", lunar_days=(1,), count=12),
        D(2099, 6, 1),
        "count",
    ),
}


@pytest.mark.parametrize(
    "rule,start,field", OTHER_REFUSALS.values(), ids=OTHER_REFUSALS.keys()
)
def test_other_refusals_name_their_field(rule, start, field):
    with pytest.raises(ValidationFailed) as refused:
        occurrences(rule, start=start or D(2026, 1, 1))
    assert refused.value.field == field


def test_refusal_without_an_end_says_why():
    with pytest.raises(ValidationFailed) as refused:
        occurrences(Rule(Frequency.MONTHLY, month_days=(1,)), start=D(2026, 1, 1))
    assert "结束日期" in str(refused.value.message)
    with translation.override("en"):
        assert "end date" in str(refused.value.message)


def test_last_lunar_month_lunardate_knows_is_generated_in_full():
    rule = Rule(Frequency.LUNAR_MONTHLY, lunar_days=(1, 30), until=LAST_DAY)
    dates = occurrences(rule, start=D(2100, 1, 1))
    assert dates == [D(2100, 1, 10), LAST_DAY]
    assert lunar_label(LAST_DAY) == "农历腊月三十"


def test_lunar_labels():
    assert lunar_label(D(2026, 2, 17)) == "农历正月初一"
    assert lunar_label(D(2026, 3, 3)) == "农历正月十五"
    assert lunar_label(D(2026, 4, 17)) == "农历三月初一"
    assert lunar_label(D(2026, 6, 19)) == "农历五月初五"
    assert lunar_label(D(2026, 3, 8)) == "农历正月二十"
    assert lunar_label(D(2026, 3, 9)) == "农历正月廿一"
    assert lunar_label(D(2026, 12, 23)) == "农历冬月十五"
    assert lunar_label(D(2027, 1, 22)) == "农历腊月十五"
    with pytest.raises(ValueError):
        lunar_label(D(1900, 1, 30))


def test_rule_survives_a_round_trip_through_json_data():
    rule = Rule(
        Frequency.LUNAR_YEARLY,
        festivals=(Festival.MID_AUTUMN, Festival.SPRING_FESTIVAL),
        until=D(2027, 1, 1),
        count=3,
    )
    data = rule.as_dict()
    assert data == {
        "frequency": "lunar_yearly",
        "interval": 1,
        "festivals": ["mid_autumn", "spring_festival"],
        "until": "2027-01-01",
        "count": 3,
    }
    assert Rule.from_dict(data) == rule


@pytest.mark.parametrize(
    "data,field",
    [
        ({"frequency": "weekly", "weekdays": [0], "every": 2}, "every"),
        ({"frequency": "weekly", "weekdays": [0], "until": "soon"}, "until"),
        ({"weekdays": [0], "count": 2}, "frequency"),
    ],
)
def test_rule_from_bad_data_is_refused(data, field):
    with pytest.raises(ValidationFailed) as refused:
        Rule.from_dict(data)
    assert refused.value.field == field


def test_describe_in_english():
    with translation.override("en"):
        weekly = Rule(Frequency.WEEKLY, interval=2, weekdays=(3, 0), count=5)
        assert describe(weekly) == "Every 2 weeks on Monday, Thursday; 5 times"
        monthly = Rule(Frequency.MONTHLY, month_days=(31,), until=D(2026, 12, 31))
        assert describe(monthly) == "Every month on day 31; until 2026-12-31"
        market = Rule(Frequency.LUNAR_MONTHLY, lunar_days=(15, 1), count=1)
        assert describe(market) == "Every lunar month on 初一、十五; 1 time"
        festivals = Rule(
            Frequency.LUNAR_YEARLY, festivals=("mid_autumn", "lantern"), count=2
        )
        assert describe(festivals) == (
            "Every lunar year at Lantern Festival, Mid-Autumn Festival; 2 times"
        )


def days(field, least, most):
    return st.lists(st.integers(least, most), min_size=1, max_size=4, unique=True).map(
        lambda values: {field: tuple(values)}
    )


@st.composite
def rules(draw):
    frequency = draw(st.sampled_from(Frequency.values))
    fields = draw(
        {
            "weekly": days("weekdays", 0, 6),
            "monthly": days("month_days", 1, 31),
            "lunar_monthly": days("lunar_days", 1, 30),
            "lunar_yearly": st.lists(
                st.sampled_from(Festival.values), min_size=1, unique=True
            ).map(lambda values: {"festivals": tuple(values)}),
        }[frequency]
    )
    if frequency in ("weekly", "monthly"):
        fields["interval"] = draw(st.integers(1, 8))
    start = draw(st.dates(D(1900, 2, 1), D(2099, 12, 31)))
    ends = draw(st.sampled_from(["until", "count", "both"]))
    if ends != "count":
        fields["until"] = start + dt.timedelta(days=draw(st.integers(0, 5 * 365)))
    if ends != "until":
        fields["count"] = draw(st.integers(1, 120))
    return Rule(frequency, **fields), start


@settings(deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(rules())
def test_occurrences_are_ordered_bounded_and_on_the_rule(case):
    rule, start = case
    try:
        dates = occurrences(rule, start=start)
    except ValidationFailed as refused:
        # Only the caps and the end of the lunar calendar refuse a rule
        # built this way.
        assert refused.field in ("until", "count")
        reject()
    assert dates == sorted(set(dates))
    assert all(d >= start for d in dates)
    assert len(dates) <= MAX_OCCURRENCES
    if rule.until is not None:
        assert all(d <= rule.until for d in dates)
    if rule.count is not None:
        assert len(dates) <= rule.count
        if rule.until is None:
            assert len(dates) == rule.count
    for day in dates:
        lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
        if rule.frequency == "weekly":
            assert day.weekday() in rule.weekdays
        elif rule.frequency == "monthly":
            assert day.day in rule.month_days
        elif rule.frequency == "lunar_monthly":
            assert lunar.day in rule.lunar_days
        else:
            assert not lunar.is_leap_month
            assert (lunar.month, lunar.day) in {
                FESTIVAL_DAYS[f] for f in rule.festivals
            }
