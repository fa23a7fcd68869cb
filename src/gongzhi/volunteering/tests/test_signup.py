import pytest

from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.points.tests.conftest import make_person
from gongzhi.volunteering.models import Occurrence, SignUp, SignUpStatus
from gongzhi.volunteering.services.signup import Full, signup_cancel, signup_create

from .conftest import PUBLISHED, at


def _sign(event, person, wait=False, now=PUBLISHED):
    return signup_create(
        occurrence=event.occurrence, person=person, by=None, wait=wait, now=now
    )


def _places(event):
    return Occurrence.objects.get(pk=event.occurrence.pk).signed_up


def test_places_fill_then_the_waiting_list(event):
    first = [_sign(event, p) for p in event.neighbours[:3]]
    assert [s.status for s in first] == [SignUpStatus.CONFIRMED] * 3
    with pytest.raises(Full) as refused:
        _sign(event, event.neighbours[3])
    assert refused.value.field == "occurrence"
    assert "3" in str(refused.value.message)
    assert SignUp.objects.count() == 3
    waiting = _sign(event, event.neighbours[3], wait=True)
    assert waiting.status == SignUpStatus.WAITING
    assert _places(event) == 3


def test_a_cancelled_place_goes_to_the_first_in_line(event):
    signups = [_sign(event, p) for p in event.neighbours[:3]]
    second = _sign(event, event.neighbours[3], wait=True)
    third = _sign(event, event.zhou, wait=True)
    signup_cancel(signup=signups[1], by=None, now=at(8, day=5))
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == SignUpStatus.CONFIRMED
    assert second.promoted_at == at(8, day=5)
    assert third.status == SignUpStatus.WAITING
    assert _places(event) == 3
    # A waiting spot given up moves nobody.
    signup_cancel(signup=third, by=None, now=at(8, day=5))
    assert _places(event) == 3


def test_signing_up_twice_is_refused(event):
    _sign(event, event.zhou)
    with pytest.raises(TransitionNotAllowed) as refused:
        _sign(event, event.zhou, wait=True)
    assert refused.value.field == "person"
    assert SignUp.objects.count() == 1 and _places(event) == 1


def test_sign_up_closes_at_the_set_time(event):
    # Sign-up closes 12 hours before 09:00: at 21:00 the day before.
    _sign(event, event.zhou, now=at(20, 59, day=4))
    with pytest.raises(TransitionNotAllowed) as refused:
        _sign(event, event.neighbours[0], now=at(21, day=4))
    assert refused.value.field == "occurrence"
    assert "21:00" in str(refused.value.message)
    assert _places(event) == 1


def test_a_cancelled_sign_up_cannot_be_cancelled_again_or_after_the_start(event):
    signup = _sign(event, event.zhou)
    with pytest.raises(TransitionNotAllowed):
        signup_cancel(signup=signup, by=None, now=at(9, 1))
    signup_cancel(signup=signup, by=None, now=at(8))
    with pytest.raises(TransitionNotAllowed):
        signup_cancel(signup=signup, by=None, now=at(8))
    assert _places(event) == 0


def test_a_resident_signs_up_herself_only(event, users):
    with pytest.raises(NotAllowed):
        signup_create(
            occurrence=event.occurrence,
            person=event.neighbours[0],
            by=users["resident"],
            now=PUBLISHED,
        )
    mine = signup_create(
        occurrence=event.occurrence,
        person=event.zhou,
        by=users["resident"],
        now=PUBLISHED,
    )
    assert mine.by == users["resident"]
    # Staff sign up a neighbour who has no phone.
    signup_create(
        occurrence=event.occurrence,
        person=event.neighbours[0],
        by=users["staff"],
        now=PUBLISHED,
    )
    with pytest.raises(NotAllowed):
        signup_cancel(signup=mine, by=users["building_leader"], now=PUBLISHED)


def test_residents_of_another_street_are_refused(event, areas, users):
    from gongzhi.areas.models import Kind
    from gongzhi.areas.services import area_create

    elsewhere = areas["district"]
    for kind, name in (
        (Kind.STREET, "新华街道"),
        (Kind.COMMUNITY, "新华社区"),
        (Kind.ESTATE, "新华小区"),
        (Kind.BUILDING, "1号楼"),
        (Kind.HOUSEHOLD, "101"),
    ):
        elsewhere = area_create(
            parent=elsewhere, kind=kind, name=name, by=users["district_manager"]
        )
    stranger = make_person(elsewhere, "赵四")
    with pytest.raises(ValidationFailed) as refused:
        _sign(event, stranger)
    assert refused.value.field == "occurrence"
    # A neighbour from the next community of the same street is welcome.
    other = make_person(areas["other_household"], "孙丽")
    assert _sign(event, other).status == SignUpStatus.CONFIRMED


def test_a_cancelled_session_takes_no_sign_ups(event):
    from gongzhi.volunteering.services.activities import occurrence_cancel

    _sign(event, event.zhou)
    occurrence_cancel(
        occurrence=event.occurrence, reason="暴雨", by=event.staff, now=PUBLISHED
    )
    assert SignUp.objects.get().status == SignUpStatus.CANCELLED
    with pytest.raises(TransitionNotAllowed):
        _sign(event, event.neighbours[0])
    assert _places(event) == 0
