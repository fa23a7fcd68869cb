import datetime as dt
import re
from types import SimpleNamespace

import icalendar
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import grant_create, user_create
from gongzhi.residents.models import Person
from gongzhi.volunteering.feeds import (
    MAX_EVENTS,
    PRODID,
    feed_token,
    feed_token_check,
    feed_url,
)
from gongzhi.volunteering.models import ActivityType, Occurrence, PlaceKind, TeamType
from gongzhi.volunteering.recurrence import Frequency, Rule
from gongzhi.volunteering.services.activities import activity_create, occurrence_cancel
from gongzhi.volunteering.services.signup import signup_create
from gongzhi.volunteering.services.teams import team_create

from .conftest import BEIJING, PUBLISHED


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    """The feeds are read the morning the 义诊 is published, whatever the
    day the tests run."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: PUBLISHED)


def _publish(community, by, title, starts_at, *, hours=2, now=PUBLISHED, **more):
    data = dict(
        community=community,
        title=title,
        kind=ActivityType.SERVICE,
        place_kind=PlaceKind.SQUARE,
        place=f"{community.name}文化广场",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        signup_required=False,
        by=by,
        now=now,
    )
    return activity_create(**(data | more))


@pytest.fixture
def street_unit(areas):
    """A co-building unit working for the whole street, which publishes
    activities anywhere in it."""
    unit = user_create(
        phone="13900002222", name="街道共建单位", password="Newcomer#2026", by=None
    )
    grant_create(user=unit, area=areas["street"], role=Role.UNIT, by=None)
    return unit


@pytest.fixture
def board(event, areas, street_unit):
    """Around the 义诊: a weekly 太极拳 in 三盛里 (one Saturday rained off),
    another team's session, one in 裕华园, one for the whole street, one
    long past and one too far ahead; 周桂兰 signed up for the 义诊."""
    community = areas["community"]
    weekly = _publish(
        community,
        event.staff,
        "太极拳晨练",
        dt.datetime(2026, 12, 12, 7, 0, tzinfo=BEIJING),
        description="自带水杯，雨天改在活动室。",
        repeat=Rule(frequency=Frequency.WEEKLY, weekdays=(5,), count=4),
    )
    rained_off = occurrence_cancel(
        occurrence=weekly.occurrences.order_by("starts_at")[1],
        reason="暴雨预警",
        by=event.staff,
        now=PUBLISHED,
    )
    other_team = team_create(
        area=community, name="环保服务队", kind=TeamType.ENVIRONMENT, by=event.staff
    )
    cleanup = _publish(
        community,
        event.staff,
        "楼道清扫",
        dt.datetime(2026, 12, 6, 9, 0, tzinfo=BEIJING),
        team=other_team,
    )
    elsewhere = _publish(
        areas["other_community"],
        street_unit,
        "裕华园垃圾分类宣传",
        dt.datetime(2026, 12, 7, 15, 0, tzinfo=BEIJING),
    )
    street_wide = _publish(
        areas["street"],
        street_unit,
        "街道文艺汇演",
        dt.datetime(2026, 12, 20, 19, 0, tzinfo=BEIJING),
    )
    # Held 40 days ago, and 401 days ahead: both outside the window.
    long_past = _publish(
        community,
        event.staff,
        "秋季健步走",
        dt.datetime(2026, 10, 25, 8, 0, tzinfo=BEIJING),
        now=dt.datetime(2026, 10, 1, tzinfo=BEIJING),
    )
    too_far = _publish(
        community,
        event.staff,
        "2028 新春游园",
        PUBLISHED + dt.timedelta(days=401),
    )
    signup_create(occurrence=event.occurrence, person=event.zhou, by=None)
    return SimpleNamespace(
        weekly=list(weekly.occurrences.order_by("starts_at")),
        rained_off=rained_off,
        other_team=other_team,
        cleanup=cleanup.occurrences.get(),
        elsewhere=elsewhere.occurrences.get(),
        street_wide=street_wide.occurrences.get(),
        long_past=long_past.occurrences.get(),
        too_far=too_far.occurrences.get(),
    )


def _get(client, kind, pk):
    response = client.get(feed_url(None, kind, pk))
    assert response.status_code == 200, response.status_code
    return response


def _events(response) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def _uid(occurrence: Occurrence) -> str:
    return f"occurrence-{occurrence.pk}@gongzhi"


def _uids(occurrences) -> set[str]:
    return {_uid(o) for o in occurrences}


def _unfolded(body: bytes) -> list[str]:
    """The content lines of ``body``, checked and unfolded by hand, apart
    from the icalendar library: CRLF line ends, at most 75 octets a line,
    continuation lines starting with a space or tab."""
    assert body.endswith(b"\r\n")
    physical = body[:-2].split(b"\r\n")
    lines: list[bytes] = []
    for line in physical:
        assert b"\n" not in line and b"\r" not in line, line
        assert len(line) <= 75, (len(line), line)
        if line[:1] in (b" ", b"\t"):
            assert lines, "a continuation line cannot come first"
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return [line.decode("utf-8") for line in lines]


# name *(";" param) ":" value, RFC 5545 section 3.1, loosely: parameter
# values may be quoted, and the value may hold anything but controls.
CONTENT_LINE = re.compile(
    r'^[A-Za-z0-9-]+(;[A-Za-z0-9-]+=("[^"]*"|[^";:,]*)(,("[^"]*"|[^";:,]*))*)*'
    r":[^\x00-\x08\x0a-\x1f\x7f]*$"
)


def _structure(lines: list[str]) -> list[dict]:
    """Every BEGIN matched by its END, the whole a single VCALENDAR; the
    properties of each component, by name, in the order met."""
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    stack: list[dict] = []
    components: list[dict] = []
    for index, line in enumerate(lines):
        assert CONTENT_LINE.match(line), line
        name, _, value = line.partition(":")
        name = name.split(";")[0].upper()
        if name == "BEGIN":
            stack.append({"BEGIN": value, "props": {}})
        elif name == "END":
            assert stack and stack[-1]["BEGIN"] == value, line
            components.append(stack.pop())
            if not stack:
                assert index == len(lines) - 1, "content after END:VCALENDAR"
        else:
            assert stack, line
            stack[-1]["props"].setdefault(name, []).append(line)
    assert not stack
    return components


def test_a_community_feed_is_a_valid_calendar_of_its_sessions(client, event, board):
    response = _get(client, "community", event.community.pk)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert response["Content-Disposition"].endswith('.ics"')

    calendar = icalendar.Calendar.from_ical(response.content)
    calendar.validate()
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]).startswith("三盛里社区 ")
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert calendar.decoded("REFRESH-INTERVAL") == dt.timedelta(hours=1)
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"

    events = _events(response)
    held_here = [event.occurrence, *board.weekly, board.cleanup]
    assert set(events) == _uids(held_here)
    for occurrence in held_here:
        entry = events[_uid(occurrence)]
        assert entry.decoded("dtstamp").utcoffset() == dt.timedelta(0)
        start, end = entry.decoded("dtstart"), entry.decoded("dtend")
        assert start == occurrence.starts_at and end == occurrence.ends_at
        assert str(start.tzinfo) == "Asia/Shanghai"
        assert entry["dtstart"].params["TZID"] == "Asia/Shanghai"
        assert str(entry["summary"]).endswith(occurrence.activity.title)
        assert str(entry["location"]) == occurrence.activity.place

    clinic = events[_uid(event.occurrence)]
    assert str(clinic["summary"]) == "义诊进社区"
    assert str(clinic["location"]) == "三盛里党群服务中心"
    assert str(clinic["status"]) == "CONFIRMED"
    with translation.override("zh-hans"):
        facts = f"{event.activity.get_kind_display()} · " + ngettext(
            "%(places)d place", "%(places)d places", 3
        ) % {"places": 3}
    assert str(clinic["description"]).splitlines()[-1] == facts
    assert "自带水杯" in str(events[_uid(board.weekly[0])]["description"])


def test_a_cancelled_session_stays_in_the_feed_as_cancelled(client, event, board):
    events = _events(_get(client, "community", event.community.pk))
    rained_off = events[_uid(board.rained_off)]
    assert str(rained_off["status"]) == "CANCELLED"
    assert "暴雨预警" in str(rained_off["description"])
    assert "太极拳晨练" in str(rained_off["summary"])
    assert rained_off.decoded("sequence") > events[_uid(board.weekly[0])].decoded(
        "sequence"
    )
    others = set(events) - {_uid(board.rained_off)}
    assert {str(events[uid]["status"]) for uid in others} == {"CONFIRMED"}


def test_a_weekly_activity_gives_one_event_per_session(client, event, board):
    events = _events(_get(client, "community", event.community.pk))
    starts = [
        events[_uid(o)].decoded("dtstart").astimezone(BEIJING) for o in board.weekly
    ]
    assert [s.date().isoformat() for s in starts] == [
        "2026-12-12",
        "2026-12-19",
        "2026-12-26",
        "2027-01-02",
    ]
    assert {(s.hour, s.minute) for s in starts} == {(7, 0)}
    # One UID per session, never an RRULE: each session may be cancelled
    # on its own.
    assert len(_uids(board.weekly)) == 4
    assert not any("rrule" in e for e in events.values())


def test_a_community_feed_leaves_out_other_communities_and_other_times(
    client, event, board
):
    uids = set(_events(_get(client, "community", event.community.pk)))
    assert _uid(board.elsewhere) not in uids
    assert _uid(board.street_wide) not in uids
    assert _uid(board.long_past) not in uids
    assert _uid(board.too_far) not in uids

    theirs = set(_events(_get(client, "community", board.elsewhere.community_id)))
    assert theirs == {_uid(board.elsewhere)}


def test_a_street_feed_holds_the_sessions_of_all_its_communities(
    client, event, areas, board
):
    uids = set(_events(_get(client, "community", areas["street"].pk)))
    assert uids == _uids(
        [
            event.occurrence,
            *board.weekly,
            board.cleanup,
            board.elsewhere,
            board.street_wide,
        ]
    )


def test_a_team_feed_holds_only_the_teams_sessions(client, event, board):
    response = _get(client, "team", event.team.pk)
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]).startswith("助老服务队 ")
    assert set(_events(response)) == {_uid(event.occurrence)}

    theirs = set(_events(_get(client, "team", board.other_team.pk)))
    assert theirs == {_uid(board.cleanup)}


def test_the_feed_shows_no_person(client, event, areas, board, users, street_unit):
    assert event.occurrence.signups.filter(person=event.zhou).exists()
    people = [event.leader, event.zhou, *event.neighbours]
    accounts = [*users.values(), street_unit]
    names = {p.name for p in people} | {u.name for u in accounts}
    phones = {"13800000004", "13800000009", "13900002222"}
    for kind, pk in (
        ("community", event.community.pk),
        ("community", areas["street"].pk),
        ("team", event.team.pk),
    ):
        body = _get(client, kind, pk).content.decode("utf-8")
        unfolded = "".join(_unfolded(body.encode("utf-8")))
        for secret in names | phones:
            assert secret not in unfolded, secret
        calendar = icalendar.Calendar.from_ical(body)
        for entry in calendar.walk("VEVENT"):
            assert not {"ORGANIZER", "ATTENDEE", "CONTACT"} & set(entry)
    assert Person.objects.filter(name__in=names).exists()


def test_the_raw_text_is_well_formed_and_folded(client, event, board):
    # Long enough, and Chinese, to need folding inside multi-byte text.
    _publish(
        event.community,
        event.staff,
        "长标题" * 20,
        dt.datetime(2026, 12, 8, 9, 0, tzinfo=BEIJING),
        description="一段很长的说明，" * 30 + "\n第二行；逗号,分号;反斜杠\\。",
    )
    body = _get(client, "community", event.community.pk).content
    lines = _unfolded(body)
    components = _structure(lines)
    calendar = components[-1]
    assert calendar["BEGIN"] == "VCALENDAR"
    assert calendar["props"]["VERSION"] == ["VERSION:2.0"]
    assert calendar["props"]["PRODID"] == [f"PRODID:{PRODID}"]

    timezones = {
        c["props"]["TZID"][0].split(":", 1)[1]
        for c in components
        if c["BEGIN"] == "VTIMEZONE"
    }
    events = [c for c in components if c["BEGIN"] == "VEVENT"]
    assert len(events) == 1 + 4 + 1 + 1
    for entry in events:
        props = entry["props"]
        for once in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "STATUS"):
            assert len(props.get(once, [])) == 1, (once, props)
        assert re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", props["DTSTAMP"][0])
        tzid = re.fullmatch(r"DTSTART;TZID=([^:;]+):\d{8}T\d{6}", props["DTSTART"][0])
        assert tzid and tzid.group(1) in timezones

    parsed = icalendar.Calendar.from_ical(body)
    long_one = next(e for e in parsed.walk("VEVENT") if "长标题" in e["summary"])
    assert str(long_one["summary"]) == "长标题" * 20
    assert str(long_one["description"]).count("\n") >= 2
    assert "逗号,分号;反斜杠\\。" in str(long_one["description"])


def test_a_wrong_token_or_an_unknown_feed_is_not_found(client, event, areas):
    community = event.community
    good = feed_url(None, "community", community.pk)
    assert client.get(good).status_code == 200

    wrong = [
        # Another feed's token, the other kind's token, a forged one.
        ("volunteering_feed_community", community.pk, feed_token("team", 1)),
        (
            "volunteering_feed_community",
            community.pk,
            feed_token("community", areas["other_community"].pk),
        ),
        ("volunteering_feed_team", event.team.pk, feed_token("community", 1)),
        ("volunteering_feed_community", community.pk, "A" * 43),
        # Unknown ids, and areas that have no feed, with valid tokens.
        ("volunteering_feed_community", 999_999, feed_token("community", 999_999)),
        ("volunteering_feed_team", 999_999, feed_token("team", 999_999)),
        (
            "volunteering_feed_community",
            areas["grid"].pk,
            feed_token("community", areas["grid"].pk),
        ),
        (
            "volunteering_feed_community",
            areas["district"].pk,
            feed_token("community", areas["district"].pk),
        ),
    ]
    for name, pk, token in wrong:
        url = reverse(name, kwargs={"pk": pk, "token": token})
        assert client.get(url).status_code == 404, url
    assert client.get(good.replace(".ics", "x.ics")).status_code == 404
    assert client.get(good[: -len(".ics")]).status_code == 404


def test_a_token_opens_its_own_feed_only(event):
    token = feed_token("community", event.community.pk)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert feed_token_check("community", event.community.pk, token)
    assert not feed_token_check("team", event.community.pk, token)
    assert not feed_token_check("community", event.community.pk + 1, token)
    assert not feed_token_check("community", event.community.pk, token[:-1])
    assert not feed_token_check("community", event.community.pk, f"x:{token}")
    assert not feed_token_check("community", event.community.pk, "")


def test_feed_url_gives_the_path_or_the_absolute_address(rf, settings, event):
    settings.ALLOWED_HOSTS = ["gongzhi.example.cn"]
    path = feed_url(None, "team", event.team.pk)
    assert (
        path
        == f"/calendar/team/{event.team.pk}/{feed_token('team', event.team.pk)}.ics"
    )
    request = rf.get("/", HTTP_HOST="gongzhi.example.cn", secure=True)
    assert (
        feed_url(request, "team", event.team.pk) == f"https://gongzhi.example.cn{path}"
    )


def test_only_get_and_head_are_answered(client, event):
    url = feed_url(None, "community", event.community.pk)
    head = client.head(url)
    assert head.status_code == 200
    assert head["Content-Type"] == "text/calendar; charset=utf-8"
    assert client.post(url).status_code == 405
    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405


def test_a_large_feed_is_cut_at_the_most_events(client, event, monkeypatch):
    monkeypatch.setattr("gongzhi.volunteering.feeds.MAX_EVENTS", 3)
    _publish(
        event.community,
        event.staff,
        "广场舞",
        dt.datetime(2026, 12, 7, 19, 0, tzinfo=BEIJING),
        repeat=Rule(frequency=Frequency.WEEKLY, weekdays=(0, 3), count=6),
    )
    events = _events(_get(client, "community", event.community.pk))
    soonest = Occurrence.objects.order_by("starts_at", "pk")[:3]
    assert set(events) == _uids(soonest)
    assert MAX_EVENTS == 2000


def test_the_feed_reads_the_same_number_of_queries_for_any_number_of_sessions(
    client, event, django_assert_num_queries
):
    url = feed_url(None, "community", event.community.pk)
    with django_assert_num_queries(2):
        client.get(url)
    _publish(
        event.community,
        event.staff,
        "广场舞",
        dt.datetime(2026, 12, 7, 19, 0, tzinfo=BEIJING),
        repeat=Rule(frequency=Frequency.WEEKLY, weekdays=(0, 3), count=6),
    )
    with django_assert_num_queries(2):
        client.get(url)


def test_the_feed_names_the_organizer(client, event):
    events = _events(_get(client, "community", event.community.pk))
    assert "助老服务队" in str(events[_uid(event.occurrence)]["description"])
