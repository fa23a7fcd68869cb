"""Dates as the reader's language writes them: ``{{ when|day }}`` is 12月3日
in Chinese and December 3 in English, ``{{ when|day:"H:i" }}`` adds the
time, ``{{ when|day:"l" }}`` the weekday. The day comes from the language's
``MONTH_DAY_FORMAT`` (src/gongzhi/formats), never from a template."""

from django import template
from django.template.defaultfilters import date

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def day(value, extra: str = ""):
    if value in (None, ""):
        return ""
    text = date(value, "MONTH_DAY_FORMAT")
    return f"{text} {date(value, extra)}" if extra else text
