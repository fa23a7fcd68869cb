"""The demo street's 通知公告: a few notices published by 三盛里's staff, to
the community, to 航院小区 and to its 1号楼, about half of them read, so the
read receipts open with counts and a list of doors to knock on."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from gongzhi.accounts.roles import Role

NOTICES = [
    # (where, title, text, pinned, days ago, share read)
    (
        "community",
        "关于开展冬季消防安全检查的通知",
        "社区将于本周六上午对各小区楼道、电动车充电点进行消防安全检查，"
        "请各位居民清理楼道杂物，电动车不要入户充电。",
        True,
        2,
        0.55,
    ),
    (
        "estate",
        "航院小区停水通知",
        "因管网检修，12月6日 9:00—17:00 航院小区停水，请提前储水。",
        False,
        1,
        0.4,
    ),
    (
        "building",
        "1号楼电梯检修",
        "1号楼电梯周五上午检修，期间请走楼梯，行动不便的老人可联系楼栋长。",
        False,
        0,
        0.25,
    ),
]


@transaction.atomic
def seed_demo_notices() -> int:
    """Publish the demo notices once and mark some of their receipts read.
    Answers how many notices it published (0 when they are there)."""
    from gongzhi.accounts.models import Grant
    from gongzhi.areas.models import Area
    from gongzhi.notices.models import Notice, NoticeReceipt
    from gongzhi.notices.services.notices import notice_fan_out_range, notice_ranges

    from .demo import C1

    if Notice.objects.filter(title=NOTICES[0][1]).exists():
        return 0
    community = Area.objects.get(code=C1)
    places = {
        "community": community,
        "estate": Area.objects.get(code=f"{C1}0101"),
        "building": Area.objects.get(code=f"{C1}010101"),
    }
    grant = Grant.objects.filter(
        area=community, role=Role.STAFF, revoked_at=None
    ).first()
    if grant is None:
        return 0
    now = timezone.now()
    made = 0
    for where, title, body, pinned, days, share in NOTICES:
        at = now - dt.timedelta(days=days, hours=2)
        notice = Notice.objects.create(
            area=places[where],
            title=title,
            body=body,
            pinned=pinned,
            published_by=grant.user,
            published_at=at,
        )
        for start, stop in notice_ranges(notice=notice):
            notice_fan_out_range(notice_id=notice.pk, start=start, stop=stop)
        # Every n-th person has read it, spread over the buildings.
        step = max(int(round(1 / share)), 1)
        receipts = NoticeReceipt.objects.filter(notice=notice).order_by("pk")
        read = [
            pk
            for i, pk in enumerate(receipts.values_list("pk", flat=True))
            if i % step == 0
        ]
        NoticeReceipt.objects.filter(pk__in=read).update(
            read_at=at + dt.timedelta(hours=3)
        )
        made += 1
    return made
