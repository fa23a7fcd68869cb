import datetime as dt

import pytest
from django.utils import translation

from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.volunteering.models import (
    Activity,
    ActivityType,
    Occurrence,
    PlaceKind,
    SignUp,
    Team,
    TeamType,
)
from gongzhi.volunteering.recurrence import Frequency, Rule
from gongzhi.volunteering.services.activities import activity_create, occurrence_cancel
from gongzhi.volunteering.services.teams import team_create

from .conftest import BEIJING, PUBLISHED, not_image, png


def _market(community, by, **changes):
    data = dict(
        community=community,
        title="初一十五便民集市",
        kind=ActivityType.MARKET,
        place_kind=PlaceKind.SQUARE,
        place="三盛里文化广场",
        starts_at=dt.datetime(2027, 1, 8, 8, 0, tzinfo=BEIJING),
        ends_at=dt.datetime(2027, 1, 8, 11, 30, tzinfo=BEIJING),
        signup_required=False,
        repeat=Rule(
            frequency=Frequency.LUNAR_MONTHLY,
            lunar_days=(1, 15),
            until=dt.date(2027, 6, 30),
        ),
        by=by,
        now=PUBLISHED,
    )
    return activity_create(**(data | changes))


def test_a_market_on_every_first_and_fifteenth_of_the_lunar_month(areas, users):
    market = _market(areas["community"], users["staff"])
    starts = [
        dt.datetime.astimezone(o.starts_at, BEIJING)
        for o in market.occurrences.order_by("starts_at")
    ]
    # 腊月初一 2026 is 8 January 2027; 春节 2027 is 6 February.
    assert [s.date().isoformat() for s in starts[:6]] == [
        "2027-01-08",
        "2027-01-22",
        "2027-02-06",
        "2027-02-20",
        "2027-03-08",
        "2027-03-22",
    ]
    assert {(s.hour, s.minute) for s in starts} == {(8, 0)}
    assert all(
        o.ends_at - o.starts_at == dt.timedelta(hours=3, minutes=30)
        for o in market.occurrences.all()
    )
    assert market.repeat["lunar_days"] == [1, 15]
    assert all(o.signup_closes_at is None for o in market.occurrences.all())


def test_a_recurrence_without_an_end_is_refused(areas, users):
    with pytest.raises(ValidationFailed) as refused:
        _market(
            areas["community"],
            users["staff"],
            repeat=Rule(frequency=Frequency.LUNAR_MONTHLY, lunar_days=(1, 15)),
        )
    assert refused.value.field == "until"
    assert not Activity.objects.exists() and not Occurrence.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": dt.datetime(2027, 1, 8, 7, 0, tzinfo=BEIJING)}, "ends_at"),
        ({"ends_at": dt.datetime(2027, 1, 9, 9, 0, tzinfo=BEIJING)}, "ends_at"),
        (
            {
                "starts_at": dt.datetime(2026, 12, 1, 8, 0, tzinfo=BEIJING),
                "ends_at": dt.datetime(2026, 12, 1, 9, 0, tzinfo=BEIJING),
            },
            "starts_at",
        ),
        ({"title": "  "}, "title"),
        ({"title": "集" * 81}, "title"),
        ({"place": ""}, "place"),
        ({"kind": "party"}, "kind"),
        ({"place_kind": "moon"}, "place_kind"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 2.5}, "capacity"),
        ({"points_per_hour": -1}, "points_per_hour"),
        ({"community": "grid"}, "community"),
    ],
)
def test_bad_activities_are_refused_naming_the_field(areas, users, changes, field):
    changes = dict(changes)
    community = areas[changes.pop("community", "community")]
    with pytest.raises(ValidationFailed) as refused:
        _market(community, users["staff"], **changes)
    assert refused.value.field == field
    assert not Activity.objects.exists()


def test_staff_publish_only_in_their_own_community(areas, users):
    with pytest.raises(NotAllowed):
        _market(areas["other_community"], users["staff"])
    with pytest.raises(NotAllowed):
        _market(areas["community"], users["resident"])
    # A street's activity is published by nobody below the street.
    with pytest.raises(NotAllowed):
        _market(areas["street"], users["secretary"])


def test_a_cancelled_session_keeps_its_reason(event):
    cancelled = occurrence_cancel(
        occurrence=event.occurrence,
        reason="暴雨预警",
        by=event.staff,
        now=PUBLISHED,
    )
    assert cancelled.cancel_reason == "暴雨预警"
    with pytest.raises(TransitionNotAllowed):
        occurrence_cancel(
            occurrence=event.occurrence, reason="重复", by=event.staff, now=PUBLISHED
        )
    with pytest.raises(ValidationFailed) as refused:
        occurrence_cancel(
            occurrence=Occurrence.objects.get(pk=event.occurrence.pk),
            reason="",
            by=event.staff,
            now=PUBLISHED,
        )
    assert refused.value.field in ("reason", "occurrence")
    assert not SignUp.objects.exists()


# Organizers: a team, a unit of the community, or the community itself


def _talk(community, by, **changes):
    data = dict(
        community=community,
        title="健康讲座",
        kind=ActivityType.TALK,
        place_kind=PlaceKind.SERVICE_CENTER,
        place="三盛里党群服务中心",
        starts_at=dt.datetime(2027, 1, 8, 9, 0, tzinfo=BEIJING),
        ends_at=dt.datetime(2027, 1, 8, 10, 0, tzinfo=BEIJING),
        by=by,
        now=PUBLISHED,
    )
    return activity_create(**(data | changes))


def test_a_unit_of_the_community_organizes_an_activity(event, units):
    by_unit = _talk(event.community, event.staff, unit=units.property)
    assert by_unit.unit == units.property
    assert by_unit.organizer == "航院物业"
    assert _talk(event.community, event.staff, title="议事会").organizer == "三盛里社区"
    assert event.activity.organizer == "助老服务队"


@pytest.mark.parametrize(
    "which, says",
    [
        ("elsewhere", "belongs to another community"),
        ("retired", "no longer active"),
    ],
)
def test_a_unit_elsewhere_or_retired_is_refused_naming_the_field(
    event, units, which, says
):
    before = Activity.objects.count()
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        _talk(event.community, event.staff, unit=getattr(units, which))
    assert refused.value.field == "unit" and says in str(refused.value.message)
    assert Activity.objects.count() == before


def test_a_team_and_a_unit_together_are_refused(event, units):
    with pytest.raises(ValidationFailed) as refused:
        _talk(event.community, event.staff, team=event.team, unit=units.hospital)
    assert refused.value.field == "unit"


def test_a_team_is_set_up_under_a_unit_of_its_community(event, units):
    team = team_create(
        area=event.community,
        name="医院志愿服务队",
        kind=TeamType.MEDICAL,
        unit=units.hospital,
        by=event.staff,
    )
    assert team.unit == units.hospital
    activity = _talk(event.community, event.staff, team=team)
    assert activity.organizer == "医院志愿服务队（区人民医院）"
    with pytest.raises(ValidationFailed) as refused:
        team_create(
            area=event.community,
            name="中学志愿服务队",
            kind=TeamType.CULTURE,
            unit=units.elsewhere,
            by=event.staff,
        )
    assert refused.value.field == "unit"
    assert not Team.objects.filter(name="中学志愿服务队").exists()


# Photos


def test_a_photo_is_kept_under_a_name_of_its_own(event, media):
    activity = _talk(event.community, event.staff, photo=png("我的照片.png"))
    assert activity.photo.name.startswith("activities/")
    assert (
        activity.photo.name.endswith(".png") and "我的照片" not in activity.photo.name
    )
    assert (media / activity.photo.name).exists()


@pytest.mark.parametrize(
    "upload, says",
    [
        (not_image, "is not a photo"),
        (lambda: png("huge.png", size=8), "larger than"),
    ],
)
def test_a_bad_photo_is_refused_naming_the_field_and_nothing_is_published(
    event, media, settings, monkeypatch, upload, says
):
    from gongzhi.core import photos

    monkeypatch.setattr(
        photos, "MAX_PHOTO_BYTES", 10 if says == "larger than" else 8 << 20
    )
    before = Activity.objects.count()
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        _talk(event.community, event.staff, photo=upload())
    assert refused.value.field == "photo" and says in str(refused.value.message)
    assert Activity.objects.count() == before
    assert not any(media.rglob("*"))
