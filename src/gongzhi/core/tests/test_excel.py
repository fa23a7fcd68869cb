"""Every workbook that leaves names who exported it and when."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone, translation

from gongzhi.core.excel import watermark


def test_the_watermark_names_the_exporter_her_phone_and_the_time():
    by = SimpleNamespace(name="刘洋", phone="13800000004")
    at = timezone.make_aware(dt.datetime(2026, 3, 1, 9, 30))
    with translation.override("en"):
        line = watermark(by=by, at=at)
    assert "刘洋" in line and "13800000004" in line
    assert "2026-03-01 09:30" in line
    with translation.override("zh-hans"):
        assert watermark(by=by, at=at) != line
