"""When a recurring activity is held: weekly, monthly, on lunar days, and on
the yearly lunar festivals.

Pure date arithmetic, no database: the sessions of an activity are generated
from a ``Rule`` once, up front, so every rule must end. A rule ends at
``until`` (inclusive), after ``count`` dates, or at whichever comes first;
a rule with neither would generate rows without end and is refused. So is
any series longer than ``MAX_OCCURRENCES`` dates or reaching more than
``MAX_YEARS`` years past its start.

The lunar calendar comes from ``lunardate``, which knows lunar years 1900 to
2099 (solar 1900-01-31 to 2100-02-08); every rule, solar or lunar, stays
inside that range, so every date it gives also has a lunar label.

A leap month (闰月) is a lunar month in its own right: a market on every
初一 and 十五 is held in it too. A festival is held in the regular month
only, never in a leap month of the same number.
"""

import calendar
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from lunardate import LunarDate

from gongzhi.core.errors import ValidationFailed

MAX_OCCURRENCES = 400
# An end date at most this many years after the start (the same day of the
# year; 29 February counts to 28 February).
MAX_YEARS = 5
# Every 52 weeks or 52 months; a longer step fits in five years once or twice.
MAX_INTERVAL = 52

# lunardate's range; outside it, it answers nonsense rather than failing.
FIRST_DAY = dt.date(1900, 1, 31)
LAST_DAY = dt.date(2100, 2, 8)


class Frequency(TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    LUNAR_MONTHLY = "lunar_monthly", _("Every lunar month")
    LUNAR_YEARLY = "lunar_yearly", _("Every lunar year")


class Festival(TextChoices):
    SPRING_FESTIVAL = "spring_festival", _("Spring Festival")
    LANTERN = "lantern", _("Lantern Festival")
    DRAGON_BOAT = "dragon_boat", _("Dragon Boat Festival")
    MID_AUTUMN = "mid_autumn", _("Mid-Autumn Festival")
    DOUBLE_NINTH = "double_ninth", _("Double Ninth Festival")

    @property
    def lunar_month_day(self) -> tuple[int, int]:
        """The festival's (lunar month, day), always in the regular month."""
        return FESTIVAL_DAYS[self]


FESTIVAL_DAYS: dict[str, tuple[int, int]] = {
    Festival.SPRING_FESTIVAL: (1, 1),  # 正月初一
    Festival.LANTERN: (1, 15),  # 正月十五
    Festival.DRAGON_BOAT: (5, 5),  # 五月初五
    Festival.MID_AUTUMN: (8, 15),  # 八月十五
    Festival.DOUBLE_NINTH: (9, 9),  # 九月初九
}

# The fields that carry the days of each frequency; the others stay empty.
DAY_FIELDS = {
    Frequency.WEEKLY: "weekdays",
    Frequency.MONTHLY: "month_days",
    Frequency.LUNAR_MONTHLY: "lunar_days",
    Frequency.LUNAR_YEARLY: "festivals",
}
DAY_RANGES = {"weekdays": (0, 6), "month_days": (1, 31), "lunar_days": (1, 30)}


@dataclass(frozen=True)
class Rule:
    """How an activity recurs.

    - ``weekly``: every ``interval`` weeks on ``weekdays`` (0 is Monday, 6
      Sunday). Weeks run Monday to Sunday and are counted from the week of
      the start.
    - ``monthly``: every ``interval`` months on ``month_days`` (1 to 31),
      counted from the month of the start. A month without the day is
      skipped, not moved: a rule for the 31st has no date in April.
    - ``lunar_monthly``: every lunar month, leap months included, on
      ``lunar_days`` (1 to 30; 1 is 初一, 15 is 十五). A lunar month of 29
      days has no 三十 and is skipped for it.
    - ``lunar_yearly``: every lunar year on ``festivals``.

    ``interval`` is 1 for the lunar frequencies. The series ends at
    ``until`` (inclusive) or after ``count`` dates, whichever comes first.
    """

    frequency: str
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    month_days: tuple[int, ...] = ()
    lunar_days: tuple[int, ...] = ()
    festivals: tuple[str, ...] = ()
    until: dt.date | None = None
    count: int | None = None

    def as_dict(self) -> dict:
        """The rule as JSON-ready data, the way ``from_dict`` reads it."""
        data: dict = {"frequency": str(self.frequency), "interval": self.interval}
        field = DAY_FIELDS.get(self.frequency)
        if field:
            data[field] = [
                str(v) if field == "festivals" else v for v in getattr(self, field)
            ]
        if self.until is not None:
            data["until"] = self.until.isoformat()
        if self.count is not None:
            data["count"] = self.count
        return data

    @classmethod
    def from_dict(cls, data: Mapping) -> "Rule":
        """Read a rule stored by ``as_dict`` or sent by a form. Refuses keys
        it does not know and an ``until`` that is not an ISO date; the rest
        is checked by ``occurrences``."""
        known = set(cls.__dataclass_fields__)
        for key in data:
            if key not in known:
                raise ValidationFailed(_("Unknown recurrence field."), field=str(key))
        values = dict(data)
        for key in ("weekdays", "month_days", "lunar_days", "festivals"):
            if isinstance(values.get(key), list):
                values[key] = tuple(values[key])
        until = values.get("until")
        if isinstance(until, str):
            try:
                values["until"] = dt.date.fromisoformat(until)
            except ValueError:
                raise ValidationFailed(
                    _("Enter a valid end date."), field="until"
                ) from None
        if "frequency" not in values:
            raise ValidationFailed(_("Choose how often it repeats."), field="frequency")
        return cls(**values)


def occurrences(rule: Rule, *, start: dt.date) -> list[dt.date]:
    """The dates of ``rule`` from ``start`` (inclusive), in order.

    Refuses, naming the field: a rule without an end (``until``), an end
    before the start or more than ``MAX_YEARS`` years after it, a ``count``
    below 1 or above ``MAX_OCCURRENCES``, a ``count`` not reached within
    ``MAX_YEARS`` years, a series of more than ``MAX_OCCURRENCES`` dates,
    an empty or out-of-range list of days, an ``interval`` out of range, and
    dates outside the lunar calendar's range. Numbers must be whole (not
    bools, not floats).
    """
    _check(rule, start=start)
    horizon = _years_after(start, MAX_YEARS)
    last = min(rule.until or horizon, horizon, LAST_DAY)
    # One date past the cap is enough to know an until-only rule is too long.
    wanted = rule.count if rule.count is not None else MAX_OCCURRENCES + 1
    dates: list[dt.date] = []
    for day in _GENERATORS[rule.frequency](rule, start, last):
        dates.append(day)
        if len(dates) == wanted:
            break
    if rule.count is None and len(dates) > MAX_OCCURRENCES:
        raise ValidationFailed(
            _(
                "This would make more than %(max)d sessions; choose an earlier "
                "end date or fewer days."
            )
            % {"max": MAX_OCCURRENCES},
            field="until",
        )
    if rule.until is None and len(dates) < wanted:
        if last == LAST_DAY:
            message = _("Dates after %(date)s are not supported; lower the number.") % {
                "date": LAST_DAY.isoformat()
            }
        else:
            message = _(
                "%(count)d sessions do not fit within %(years)d years of the "
                "start; lower the number."
            ) % {"count": rule.count, "years": MAX_YEARS}
        raise ValidationFailed(message, field="count")
    return dates


def lunar_label(day: dt.date) -> str:
    """The lunar date of ``day``, such as 农历三月初一 or 农历闰六月十五.

    Chinese numerals are how lunar dates are written, in any interface
    language, so the label is not translated. Raises ``ValueError`` outside
    the lunar calendar's range.
    """
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{day} is outside the lunar calendar's range")
    lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
    leap = "闰" if lunar.is_leap_month else ""
    return f"农历{leap}{LUNAR_MONTHS[lunar.month]}{lunar_day_name(lunar.day)}"


def lunar_day_name(day: int) -> str:
    """初一 to 三十."""
    if day <= 10:
        return "初" + _NUMERALS[day]
    if day < 20:
        return "十" + _NUMERALS[day - 10]
    if day == 20:
        return "二十"
    if day < 30:
        return "廿" + _NUMERALS[day - 20]
    return "三十"


_NUMERALS = "〇一二三四五六七八九十"
LUNAR_MONTHS = {
    1: "正月",
    2: "二月",
    3: "三月",
    4: "四月",
    5: "五月",
    6: "六月",
    7: "七月",
    8: "八月",
    9: "九月",
    10: "十月",
    11: "冬月",
    12: "腊月",
}


def describe(rule: Rule) -> str:
    """A one-line summary of a valid rule, in the active language."""
    n = rule.interval
    if rule.frequency == Frequency.WEEKLY:
        days = ", ".join(str(WEEKDAYS[d]) for d in sorted(set(rule.weekdays)))
        text = ngettext(
            "Every week on %(days)s", "Every %(n)d weeks on %(days)s", n
        ) % {"n": n, "days": days}
    elif rule.frequency == Frequency.MONTHLY:
        days = ", ".join(str(d) for d in sorted(set(rule.month_days)))
        text = ngettext(
            "Every month on day %(days)s", "Every %(n)d months on day %(days)s", n
        ) % {"n": n, "days": days}
    elif rule.frequency == Frequency.LUNAR_MONTHLY:
        days = "、".join(lunar_day_name(d) for d in sorted(set(rule.lunar_days)))
        text = gettext("Every lunar month on %(days)s") % {"days": days}
    else:
        festivals = sorted({Festival(f) for f in rule.festivals}, key=FESTIVAL_DAYS.get)
        names = ", ".join(str(f.label) for f in festivals)
        text = gettext("Every lunar year at %(festivals)s") % {"festivals": names}
    ends = []
    if rule.until is not None:
        ends.append(gettext("until %(date)s") % {"date": rule.until.isoformat()})
    if rule.count is not None:
        ends.append(
            ngettext("%(count)d time", "%(count)d times", rule.count)
            % {"count": rule.count}
        )
    return "; ".join([text, *ends])


def _check(rule: Rule, *, start: dt.date) -> None:
    if rule.frequency not in Frequency.values:
        raise ValidationFailed(_("Choose how often it repeats."), field="frequency")
    _whole(rule.interval, field="interval", least=1, most=MAX_INTERVAL)
    if rule.frequency in (Frequency.LUNAR_MONTHLY, Frequency.LUNAR_YEARLY) and (
        rule.interval != 1
    ):
        raise ValidationFailed(
            _("A lunar rule repeats every lunar month or year."), field="interval"
        )
    _check_days(rule)
    _check_dates(rule, start=start)


def _check_days(rule: Rule) -> None:
    wanted = DAY_FIELDS[rule.frequency]
    for field in DAY_FIELDS.values():
        values = getattr(rule, field)
        if isinstance(values, str | bytes) or not isinstance(
            values, tuple | list | set | frozenset
        ):
            raise ValidationFailed(_("Enter a list."), field=field)
        if field != wanted:
            if values:
                raise ValidationFailed(
                    _("These days do not apply to this kind of repeat."),
                    field=field,
                )
            continue
        if not values:
            raise ValidationFailed(_("Choose at least one day."), field=field)
        if field == "festivals":
            if any(value not in Festival.values for value in values):
                raise ValidationFailed(_("Unknown festival."), field=field)
            continue
        least, most = DAY_RANGES[field]
        for value in values:
            _whole(value, field=field, least=least, most=most)


def _check_dates(rule: Rule, *, start: dt.date) -> None:
    # A datetime is a date to Python but cannot be compared with one.
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        raise ValidationFailed(_("Enter a valid date."), field="start")
    if not FIRST_DAY <= start <= LAST_DAY:
        raise ValidationFailed(_out_of_range(), field="start")
    if rule.until is None and rule.count is None:
        raise ValidationFailed(
            _(
                "Choose an end date or a number of sessions; a repeat without "
                "an end would never stop."
            ),
            field="until",
        )
    if rule.until is not None:
        until = rule.until
        if not isinstance(until, dt.date) or isinstance(until, dt.datetime):
            raise ValidationFailed(_("Enter a valid end date."), field="until")
        if until < start:
            raise ValidationFailed(
                _("The end date is before the start."), field="until"
            )
        if until > _years_after(start, MAX_YEARS):
            raise ValidationFailed(
                _("The end date is more than %(years)d years after the start.")
                % {"years": MAX_YEARS},
                field="until",
            )
        if until > LAST_DAY:
            raise ValidationFailed(_out_of_range(), field="until")
    if rule.count is not None:
        _whole(rule.count, field="count", least=1, most=MAX_OCCURRENCES)


def _out_of_range() -> str:
    return _("Dates from %(first)s to %(last)s are supported.") % {
        "first": FIRST_DAY.isoformat(),
        "last": LAST_DAY.isoformat(),
    }


def _whole(value, *, field: str, least: int, most: int) -> int:
    # bool is an int to Python and 2.0 equals 2; neither is a whole number.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(_("Enter a whole number."), field=field)
    if not least <= value <= most:
        raise ValidationFailed(
            _("Enter a number from %(least)d to %(most)d.")
            % {"least": least, "most": most},
            field=field,
        )
    return value


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def _weekly(rule: Rule, start: dt.date, last: dt.date) -> Iterator[dt.date]:
    days = sorted(set(rule.weekdays))
    week = start - dt.timedelta(days=start.weekday())
    while week <= last:
        for weekday in days:
            day = week + dt.timedelta(days=weekday)
            if start <= day <= last:
                yield day
        week += dt.timedelta(weeks=rule.interval)


def _monthly(rule: Rule, start: dt.date, last: dt.date) -> Iterator[dt.date]:
    days = sorted(set(rule.month_days))
    year, month = start.year, start.month
    while dt.date(year, month, 1) <= last:
        length = calendar.monthrange(year, month)[1]
        for number in days:
            if number > length:
                continue
            day = dt.date(year, month, number)
            if day > last:
                return
            if day >= start:
                yield day
        month += rule.interval
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1


def _lunar_monthly(rule: Rule, start: dt.date, last: dt.date) -> Iterator[dt.date]:
    days = sorted(set(rule.lunar_days))
    first = start - dt.timedelta(days=_lunar(start).day - 1)
    while first <= last:
        length = _lunar_month_length(first)
        for number in days:
            if number > length:
                continue
            day = first + dt.timedelta(days=number - 1)
            if day > last:
                return
            if day >= start:
                yield day
        first += dt.timedelta(days=length)


def _lunar_yearly(rule: Rule, start: dt.date, last: dt.date) -> Iterator[dt.date]:
    marks = sorted({FESTIVAL_DAYS[festival] for festival in rule.festivals})
    for year in range(_lunar(start).year, _lunar(last).year + 1):
        for month, number in marks:
            day = LunarDate(year, month, number).to_solar_date()
            if day > last:
                return
            if day >= start:
                yield day


def _lunar(day: dt.date) -> LunarDate:
    return LunarDate.from_solar_date(day.year, day.month, day.day)


def _lunar_month_length(first: dt.date) -> int:
    """Days in the lunar month that begins on ``first``: 29 or 30."""
    # The last month lunardate knows, 腊月 2099, has 30 days, so day 30 of
    # any month is still inside its range.
    return 29 if _lunar(first + dt.timedelta(days=29)).day == 1 else 30


_GENERATORS = {
    Frequency.WEEKLY: _weekly,
    Frequency.MONTHLY: _monthly,
    Frequency.LUNAR_MONTHLY: _lunar_monthly,
    Frequency.LUNAR_YEARLY: _lunar_yearly,
}
