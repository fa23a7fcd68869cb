import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.audit.models import Action, Event
from gongzhi.core.errors import (
    DomainError,
    NotAllowed,
    TransitionNotAllowed,
    ValidationFailed,
)
from gongzhi.points.models import Account, Award, AwardStatus
from gongzhi.points.services.accounts import resident_account
from gongzhi.volunteering.models import Attendance, ChangeKind, Method
from gongzhi.volunteering.services.attendance import (
    attendance_mark,
    attendance_scan,
    hours_between,
    hours_correct,
    occurrence_confirm,
    scan_code,
)
from gongzhi.volunteering.services.signup import signup_create

from .conftest import PUBLISHED, at


@pytest.fixture
def signed(event):
    """周桂兰 and 王建国 hold places."""
    for person in (event.zhou, event.neighbours[0]):
        signup_create(
            occurrence=event.occurrence, person=person, by=None, now=PUBLISHED
        )
    return event


def _scan(event, person, direction, shown, scanned=None):
    code = scan_code(event.occurrence, direction, now=shown)
    return attendance_scan(
        occurrence=event.occurrence,
        person=person,
        code=code,
        by=None,
        now=scanned or shown,
    )


def test_check_in_and_out_by_the_changing_code_counts_the_hours(signed):
    came = _scan(signed, signed.zhou, "in", at(8, 55))
    assert (came.checked_in_at, came.in_method) == (at(8, 55), Method.QR)
    left = _scan(signed, signed.zhou, "out", at(10, 47))
    # 09:00 (the start) to 10:47 is 1 h 47 min: 1.75 hours.
    assert left.hours == Decimal("1.75")
    assert [c.kind for c in left.changes.all()] == [
        ChangeKind.CHECKED_IN,
        ChangeKind.CHECKED_OUT,
    ]


def test_the_code_changes_every_minute_and_an_old_one_is_refused(signed):
    assert scan_code(signed.occurrence, "in", now=at(9, 0)) != scan_code(
        signed.occurrence, "in", now=at(9, 1)
    )
    # Shown at 09:00:30, scanned a minute later at the turn: still good.
    shown = at(9, 0) + dt.timedelta(seconds=30)
    _scan(
        signed,
        signed.zhou,
        "in",
        shown,
        scanned=at(
            9,
            1,
        )
        + dt.timedelta(seconds=20),
    )
    # A photo of the 09:00 code passed round at 09:05 is refused.
    with pytest.raises(ValidationFailed) as refused:
        _scan(signed, signed.neighbours[0], "in", at(9, 0), scanned=at(9, 5))
    assert refused.value.field == "code"
    assert "过期" in str(refused.value.message) or "expired" in str(
        refused.value.message
    )
    assert Attendance.objects.count() == 1


@pytest.mark.parametrize(
    "code",
    ["", "in.123.abc", "in.x.y", "nonsense", "in.29000000.0123456789abcdef"],
)
def test_a_forged_code_is_refused(signed, code):
    with pytest.raises(ValidationFailed) as refused:
        attendance_scan(
            occurrence=signed.occurrence,
            person=signed.zhou,
            code=code,
            by=None,
            now=at(9),
        )
    assert refused.value.field == "code"
    assert not Attendance.objects.exists()


def test_another_sessions_code_is_refused(signed, users):
    from gongzhi.volunteering.models import ActivityType, PlaceKind
    from gongzhi.volunteering.services.activities import activity_create

    other = activity_create(
        community=signed.community,
        title="消防安全课",
        kind=ActivityType.CLASS,
        place_kind=PlaceKind.MARKET,
        place="三盛里菜市场",
        starts_at=at(9),
        ends_at=at(10),
        signup_required=False,
        by=users["staff"],
        now=PUBLISHED,
    ).occurrences.get()
    code = scan_code(other, "in", now=at(9))
    with pytest.raises(ValidationFailed):
        attendance_scan(
            occurrence=signed.occurrence,
            person=signed.zhou,
            code=code,
            by=None,
            now=at(9),
        )


def test_checking_in_twice_and_out_before_in_are_refused(signed):
    with pytest.raises(TransitionNotAllowed) as refused:
        _scan(signed, signed.zhou, "out", at(9, 30))
    assert "check in first" in str(refused.value.message) or "签到" in str(
        refused.value.message
    )
    _scan(signed, signed.zhou, "in", at(9))
    with pytest.raises(TransitionNotAllowed) as refused:
        _scan(signed, signed.zhou, "in", at(9, 3))
    assert "09:00" in str(refused.value.message)
    _scan(signed, signed.zhou, "out", at(11))
    with pytest.raises(TransitionNotAllowed):
        _scan(signed, signed.zhou, "out", at(11, 5))
    attendance = Attendance.objects.get()
    assert (attendance.checked_out_at, attendance.hours) == (at(11), Decimal("2"))


def test_check_in_before_it_opens_or_after_it_ended_is_refused(signed):
    with pytest.raises(TransitionNotAllowed) as early:
        _scan(signed, signed.zhou, "in", at(8, 29))
    assert "08:30" in str(early.value.message)
    with pytest.raises(TransitionNotAllowed) as late:
        _scan(signed, signed.zhou, "in", at(11))
    assert "11:00" in str(late.value.message)
    # Two hours after the end, check-out is closed too.
    _scan(signed, signed.neighbours[0], "in", at(9))
    with pytest.raises(TransitionNotAllowed):
        _scan(signed, signed.neighbours[0], "out", at(13, 1))
    assert Attendance.objects.get().checked_out_at is None


def test_without_a_place_the_code_does_not_check_in(signed):
    with pytest.raises(TransitionNotAllowed) as refused:
        _scan(signed, signed.neighbours[1], "in", at(9))
    assert refused.value.field == "person"


@pytest.mark.parametrize(
    ("came", "left", "hours"),
    [
        ((8, 40), (11, 30), "2"),  # counted within the session only
        ((9, 10), (10, 24), "1"),  # 1 h 14 min
        ((9, 10), (10, 25), "1.25"),
        ((9, 0), (9, 14), "0"),
    ],
)
def test_hours_are_quarter_hours_within_the_session(signed, came, left, hours):
    assert hours_between(at(*came), at(*left), signed.occurrence) == Decimal(hours)


def test_staff_mark_attendance_by_hand_with_an_audit_record(signed, users):
    marked = attendance_mark(
        occurrence=signed.occurrence,
        person=signed.zhou,
        checked_in_at=at(9),
        checked_out_at=at(10, 30),
        reason="手机没电，现场登记",
        by=users["staff"],
        now=at(10, 40),
    )
    assert (marked.in_method, marked.hours) == (Method.HAND, Decimal("1.5"))
    assert marked.changes.get().reason == "手机没电，现场登记"
    event = Event.objects.get(action=Action.ATTENDANCE_MARKED)
    assert event.actor == users["staff"] and event.detail["hours"] == "1.50"


@pytest.mark.parametrize(
    ("came", "left", "reason", "field"),
    [
        ((10,), (9,), "补登", "checked_out_at"),  # out before in
        ((9,), (10,), "", "reason"),
        ((12,), None, "补登", "checked_in_at"),  # after the session
        ((9,), (11, 30), "补登", "checked_out_at"),  # in the future
    ],
)
def test_bad_hand_marks_are_refused(signed, users, came, left, reason, field):
    with pytest.raises(ValidationFailed) as refused:
        attendance_mark(
            occurrence=signed.occurrence,
            person=signed.zhou,
            checked_in_at=at(*came),
            checked_out_at=at(*left) if left else None,
            reason=reason,
            by=users["staff"],
            now=at(11, 10),
        )
    assert refused.value.field == field
    assert not Attendance.objects.exists()


def test_only_the_organizer_marks_or_corrects(signed, users):
    for who in ("resident", "building_leader"):
        with pytest.raises(NotAllowed):
            attendance_mark(
                occurrence=signed.occurrence,
                person=signed.zhou,
                checked_in_at=at(9),
                checked_out_at=at(10),
                reason="补登",
                by=users[who],
                now=at(11),
            )
    assert not Attendance.objects.exists()


def _balance(person):
    return resident_account(person).balance


def test_confirming_posts_hours_times_points_once(signed):
    _scan(signed, signed.zhou, "in", at(9))
    _scan(signed, signed.zhou, "out", at(10, 30))
    _scan(signed, signed.neighbours[0], "in", at(9))  # never checked out
    with pytest.raises(TransitionNotAllowed):
        occurrence_confirm(occurrence=signed.occurrence, by=signed.staff, now=at(10))
    for _ in range(2):
        occurrence_confirm(occurrence=signed.occurrence, by=signed.staff, now=at(12))
    # 1.5 h at 2 points an hour.
    assert _balance(signed.zhou) == 3
    assert _balance(signed.neighbours[0]) == 0
    award = Award.objects.get()
    assert award.points == 3 and award.status == AwardStatus.PAID
    # Dated when the organizer confirmed, as the resident's statement shows.
    assert award.requested_at == at(12) and award.transfer.created_at == at(12)
    assert "义诊进社区" in award.reason
    with pytest.raises(TransitionNotAllowed):
        _scan(signed, signed.neighbours[0], "out", at(12))


def test_a_correction_after_confirming_moves_the_points(signed):
    _scan(signed, signed.zhou, "in", at(9))
    _scan(signed, signed.zhou, "out", at(10))
    occurrence_confirm(occurrence=signed.occurrence, by=signed.staff, now=at(12))
    assert _balance(signed.zhou) == 2
    attendance = Attendance.objects.get(person=signed.zhou)
    hours_correct(
        attendance=attendance,
        hours="2",
        reason="提前到场布置",
        by=signed.staff,
        now=at(13),
    )
    assert _balance(signed.zhou) == 4
    hours_correct(
        attendance=attendance,
        hours=Decimal("0.5"),
        reason="中途离开",
        by=signed.staff,
        now=at(14),
    )
    assert _balance(signed.zhou) == 1
    attendance.refresh_from_db()
    assert attendance.hours == Decimal("0.5") and attendance.corrected
    assert [c.hours_after for c in attendance.changes.filter(kind="corrected")] == [
        Decimal("2"),
        Decimal("0.5"),
    ]
    assert Event.objects.filter(action=Action.HOURS_CORRECTED).count() == 2
    from gongzhi.points.selectors import ledger_problems

    assert ledger_problems() == []


def test_a_correction_the_points_were_spent_on_is_refused(signed):
    from gongzhi.points.services.shop import goods_create, order_place

    _scan(signed, signed.zhou, "in", at(9))
    _scan(signed, signed.zhou, "out", at(11))
    occurrence_confirm(occurrence=signed.occurrence, by=signed.staff, now=at(12))
    account = resident_account(signed.zhou)
    soap = goods_create(
        community=signed.community, name="肥皂", price=4, stock=5, by=None
    )
    order_place(
        account=account, goods=soap, quantity=1, by=None, idempotency_key="soap"
    )
    attendance = Attendance.objects.get(person=signed.zhou)
    with pytest.raises(DomainError) as refused:
        hours_correct(
            attendance=attendance,
            hours="1",
            reason="记错了",
            by=signed.staff,
            now=at(13),
        )
    assert getattr(refused.value, "field", None) is not None
    attendance.refresh_from_db()
    assert attendance.hours == Decimal("2") and not attendance.corrected
    assert Account.objects.get(pk=account.pk).balance == 0


@pytest.mark.parametrize(
    ("hours", "reason", "field"),
    [
        ("-1", "x", "hours"),
        ("abc", "x", "hours"),
        ("1.3", "x", "hours"),
        ("2.25", "x", "hours"),  # longer than the session
        ("1", "", "reason"),
        ("1", "理" * 201, "reason"),
    ],
)
def test_bad_corrections_are_refused(signed, hours, reason, field):
    _scan(signed, signed.zhou, "in", at(9))
    _scan(signed, signed.zhou, "out", at(10))
    attendance = Attendance.objects.get()
    with pytest.raises(ValidationFailed) as refused:
        hours_correct(
            attendance=attendance, hours=hours, reason=reason, by=signed.staff
        )
    assert refused.value.field == field
    attendance.refresh_from_db()
    assert attendance.hours == Decimal("1")


def test_the_team_leader_organizes_her_teams_sessions(event, users):
    from gongzhi.volunteering.models import ActivityType, PlaceKind, TeamType
    from gongzhi.volunteering.services.activities import activity_create
    from gongzhi.volunteering.services.teams import team_create

    team = team_create(
        area=event.community,
        name="楼道清洁队",
        kind=TeamType.ENVIRONMENT,
        leader=event.zhou,
        by=users["staff"],
    )
    # 周桂兰 leads the team: she publishes its session and marks who came.
    session = activity_create(
        community=event.community,
        title="楼道清理",
        kind=ActivityType.SERVICE,
        place_kind=PlaceKind.ADDRESS,
        place="航院小区1号楼",
        starts_at=at(9),
        ends_at=at(10),
        signup_required=False,
        team=team,
        by=users["resident"],
        now=PUBLISHED,
    ).occurrences.get()
    marked = attendance_mark(
        occurrence=session,
        person=event.neighbours[0],
        checked_in_at=at(9),
        checked_out_at=at(10),
        reason="现场登记",
        by=users["resident"],
        now=at(10, 5),
    )
    assert marked.hours == Decimal("1")
    # The other team's session is not hers to run.
    with pytest.raises(NotAllowed):
        attendance_mark(
            occurrence=event.occurrence,
            person=event.neighbours[0],
            checked_in_at=at(9),
            checked_out_at=at(10),
            reason="现场登记",
            by=users["resident"],
            now=at(10, 5),
        )


def test_filling_in_a_missed_check_out_keeps_the_scanned_check_in(signed, users):
    came = _scan(signed, signed.zhou, "in", at(9, 2))
    marked = attendance_mark(
        occurrence=signed.occurrence,
        person=signed.zhou,
        checked_in_at=came.checked_in_at,
        checked_out_at=at(10, 32),
        reason="忘记签退",
        by=users["staff"],
        now=at(11),
    )
    assert (marked.in_method, marked.out_method) == (Method.QR, Method.HAND)
    assert marked.hours == Decimal("1.5")
