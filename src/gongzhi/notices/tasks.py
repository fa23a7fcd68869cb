"""The notices' background work, as tasks of Django's tasks framework:
inline with the immediate backend of the embedded default, on the workers
when deployed. Each is idempotent: run twice, it tells nobody twice (every
message has an event key) and sends nothing twice (every delivery has
one). ``GONGZHI_SCHEDULE`` in settings runs the periodic ones."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Category
from .services.messages import notify


def _now(now: str | None) -> dt.datetime:
    return dt.datetime.fromisoformat(now) if now else timezone.now()


@task()
def deliver_outbox(now: str | None = None, rounds: int = 10) -> dict[str, int]:
    """Send what is due in the outbox, a batch at a time."""
    from .services.outbox import deliver_due

    total = {"sent": 0, "throttled": 0, "retry": 0, "failed": 0}
    for _round in range(rounds):
        counts = deliver_due(now=_now(now))
        for name, value in counts.items():
            total[name] += value
        if not any(counts.values()) or counts["throttled"]:
            break
    return total


@task()
def fan_out_notice(notice_id: int) -> int:
    """Split a notice's fan-out into ranges, one task each: several
    workers share a street."""
    from .models import Notice
    from .services.notices import notice_ranges

    notice = Notice.objects.select_related("area").get(pk=notice_id)
    ranges = notice_ranges(notice=notice)
    for start, stop in ranges:
        fan_out_range.enqueue(notice_id, start, stop)
    return len(ranges)


@task()
def fan_out_range(notice_id: int, start: int, stop: int) -> int:
    from .services.notices import notice_fan_out_range

    return notice_fan_out_range(notice_id=notice_id, start=start, stop=stop)


def _lang():
    return translation.override(settings.LANGUAGE_CODE)


@task()
def warn_deadlines(now: str | None = None, within_hours: int = 2) -> int:
    """Tell the dispatcher of requests about to miss their resolution
    deadline, and of those that missed it (once per deadline)."""
    from gongzhi.accounts.roles import Perm
    from gongzhi.areas.models import Kind
    from gongzhi.requests.models import ServiceRequest
    from gongzhi.requests.states import ASSIGNED

    from .events import desk_users, place_for_team

    moment = _now(now)
    soon = moment + dt.timedelta(hours=within_hours)
    told = 0
    late = ServiceRequest.objects.filter(
        status__in=ASSIGNED, resolve_due__isnull=False, resolve_due__lte=soon
    ).select_related("category", "area", "community")
    with _lang():
        for item in late.iterator():
            overdue = item.resolve_due <= moment
            users = (
                [item.dispatcher_id]
                if item.dispatcher_id
                else desk_users(
                    item.community, Perm.REQUEST_DISPATCH, kind=Kind.COMMUNITY
                )
            )
            what = f"{place_for_team(item.area)} {item.category.name}"
            title = (_("Overdue: %(what)s") if overdue else _("Due soon: %(what)s")) % {
                "what": what
            }
            told += notify(
                key=f"request:{item.pk}:{'overdue' if overdue else 'soon'}:"
                f"{item.resolve_due.isoformat()}",
                user_ids=users,
                category=Category.DEADLINE,
                title=title,
                body=_("Request %(number)s, to be resolved by %(due)s.")
                % {
                    "number": item.number,
                    "due": timezone.localtime(item.resolve_due).strftime("%m-%d %H:%M"),
                },
                url=reverse("requests:request", args=[item.pk]),
                area=item.area,
                now=moment,
            )
    return told


@task()
def remind_unrated(now: str | None = None, after_hours: int = 24) -> int:
    """Remind the reporter of a resolved request she has not rated yet."""
    from gongzhi.requests.models import ServiceRequest
    from gongzhi.requests.states import Status

    moment = _now(now)
    waiting = ServiceRequest.objects.filter(
        status=Status.RESOLVED,
        rating="",
        resolved_at__lte=moment - dt.timedelta(hours=after_hours),
        reporter__user__isnull=False,
    ).select_related("category", "reporter", "area")
    told = 0
    with _lang():
        for item in waiting.iterator():
            told += notify(
                key=f"request:{item.pk}:rate:{item.resolved_at.isoformat()}",
                user_ids=[item.reporter.user_id],
                category=Category.REQUEST,
                title=_("Waiting for your rating: %(number)s")
                % {"number": item.number},
                body=item.category.name,
                url=reverse("requests:portal_request", args=[item.pk]),
                area=item.area,
                now=moment,
            )
    return told


@task()
def visits_due_digest(today: str | None = None) -> int:
    """Each grid worker's daily digest of the people due for a visit."""
    from gongzhi.accounts.models import Grant, User
    from gongzhi.accounts.roles import Role
    from gongzhi.residents.selectors.care import care_due

    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    told = 0
    grants = Grant.objects.filter(
        revoked_at=None, role=Role.GRID_WORKER
    ).select_related("area")
    by_user: dict[int, list] = {}
    for grant in grants:
        by_user.setdefault(grant.user_id, []).append(grant.area)
    with _lang():
        for user in User.objects.filter(pk__in=list(by_user), is_active=True):
            due = care_due(user=user, today=day)
            if not due:
                continue
            overdue = sum(1 for row in due if row.days_overdue > 0)
            told += notify(
                key=f"visits:{user.pk}:{day.isoformat()}",
                user_ids=[user.pk],
                category=Category.CARE,
                title=_("%(n)d people are due for a visit") % {"n": len(due)},
                body=_("%(late)d of them overdue.") % {"late": overdue},
                url=reverse("residents:care_due"),
                area=by_user[user.pk][0],
            )
    return told


@task()
def activities_tomorrow(now: str | None = None) -> int:
    """Remind everyone with a place of tomorrow's session."""
    from gongzhi.volunteering.models import SignUp, SignUpStatus

    moment = _now(now)
    tomorrow = timezone.localtime(moment).date() + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time()))
    signups = (
        SignUp.objects.filter(
            status=SignUpStatus.CONFIRMED,
            occurrence__starts_at__gte=start,
            occurrence__starts_at__lt=start + dt.timedelta(days=1),
            occurrence__cancelled_at__isnull=True,
            person__user__isnull=False,
        )
        .select_related("occurrence__activity", "occurrence__community")
        .values_list(
            "occurrence_id",
            "person__user_id",
            "occurrence__activity__title",
            "occurrence__starts_at",
            "occurrence__community_id",
        )
    )
    sessions: dict[int, dict] = {}
    for occurrence, user, title, starts, community in signups:
        entry = sessions.setdefault(
            occurrence,
            {"users": [], "title": title, "starts": starts, "community": community},
        )
        entry["users"].append(user)
    told = 0
    from gongzhi.areas.models import Area

    with _lang():
        for occurrence, entry in sessions.items():
            told += notify(
                key=f"activity:{occurrence}:tomorrow",
                user_ids=entry["users"],
                category=Category.ACTIVITY,
                title=_("Tomorrow: %(activity)s") % {"activity": entry["title"]},
                body=_("Starts at %(time)s.")
                % {"time": timezone.localtime(entry["starts"]).strftime("%H:%M")},
                url=reverse("volunteering:portal_activities"),
                area=Area.objects.get(pk=entry["community"]),
                now=moment,
            )
    return told


@task()
def points_expiring(now: str | None = None, within_days: int = 30) -> int:
    """In the last month of the year, tell residents what points lapse at
    its end unless spent."""
    from gongzhi.points.models import Account, AccountKind
    from gongzhi.points.services.expiry import expiry_due

    moment = _now(now)
    told = 0
    accounts = Account.objects.filter(
        kind=AccountKind.PERSON, person__user__isnull=False
    ).select_related("person", "area")
    with _lang():
        for account in accounts.iterator():
            due = expiry_due(account=account, now=moment)
            if not due.points or due.at - moment > dt.timedelta(days=within_days):
                continue
            told += notify(
                key=f"points-expiry:{account.pk}:{due.at.year}",
                user_ids=[account.person.user_id],
                category=Category.POINTS,
                title=_("%(points)d points lapse on %(day)s")
                % {
                    "points": due.points,
                    "day": timezone.localtime(due.at).strftime("%Y-%m-%d"),
                },
                body=_("Spend them in the points supermarket before then."),
                url=reverse("points:portal_points"),
                area=account.area,
                now=moment,
            )
    return told


@task()
def tell_residents(*, key: str, area_id: int, title: str, url: str = "") -> int:
    """Tell everyone living under ``area_id`` of ``key`` (a council's public
    meeting, a selection's vote): run by a worker after the announcing
    transaction committed, since a street or a district is tens of
    thousands to a million people, too many to write inside a request.
    Running it again tells nobody twice."""
    from gongzhi.areas.models import Area

    from .events import living_under

    area = Area.objects.get(pk=area_id)
    return notify(
        key=key,
        user_ids=living_under(area),
        category=Category.COUNCIL,
        title=title,
        url=url,
        area=area,
    )
