"""A registration keeps its history (``RegistrationStep``): who registered,
confirmed, declined or ended it, when and why, where the member and staff
look; an illegal step is refused with nothing recorded."""

import pytest

from gongzhi.core.errors import TransitionNotAllowed
from gongzhi.orgs.models import RegistrationStatus, RegistrationStep
from gongzhi.orgs.services.registrations import (
    registration_create,
    registration_transition,
)

API = "/api/v1/orgs"


@pytest.fixture
def registered(zhou, users):
    return registration_create(
        person=zhou, work_unit="和平区教育局", by=users["resident"]
    )


def test_each_step_is_recorded_with_who_and_why(registered, users):
    registration_transition(
        registration=registered, action="confirm", by=users["staff"], note="核实无误"
    )
    registration_transition(
        registration=registered, action="end", by=users["resident"], note="搬家了"
    )
    steps = RegistrationStep.objects.filter(registration=registered)
    assert [(s.action, s.from_status, s.to_status, s.by, s.note) for s in steps] == [
        ("register", "", RegistrationStatus.REGISTERED, users["resident"], ""),
        (
            "confirm",
            RegistrationStatus.REGISTERED,
            RegistrationStatus.CONFIRMED,
            users["staff"],
            "核实无误",
        ),
        (
            "end",
            RegistrationStatus.CONFIRMED,
            RegistrationStatus.ENDED,
            users["resident"],
            "搬家了",
        ),
    ]


def test_an_ended_registration_cannot_be_ended_again_nor_recorded(registered, users):
    registration_transition(registration=registered, action="end", by=users["staff"])
    with pytest.raises(TransitionNotAllowed) as refused:
        registration_transition(
            registration=registered, action="end", by=users["resident"]
        )
    assert refused.value.field == "status"
    assert registered.steps.count() == 2


def test_the_api_answers_the_history(api_client, registered, users):
    api_client.login_api(users["staff"])
    done = api_client.post(
        f"{API}/registrations/{registered.pk}/decline",
        {"note": "请填写单位全称"},
        content_type="application/json",
    ).json()
    assert [(s["action"], s["action_label"], s["note"]) for s in done["history"]] == [
        ("register", "已报到", ""),
        ("decline", "未通过", "请填写单位全称"),
    ]
    api_client.login_api(users["resident"])
    mine = api_client.get(f"{API}/me/registration").json()["registration"]
    assert [s["status"] for s in mine["history"]] == ["registered", "declined"]


def test_the_api_refuses_a_second_decision_and_records_nothing(
    api_client, registered, users
):
    api_client.login_api(users["staff"])
    url = f"{API}/registrations/{registered.pk}"
    api_client.post(f"{url}/confirm", {}, content_type="application/json")
    again = api_client.post(f"{url}/decline", {}, content_type="application/json")
    assert (again.status_code, again.json()["field"]) == (409, "status")
    assert registered.steps.count() == 2


def test_the_member_reads_her_history_on_her_page(client, registered, users):
    registration_transition(
        registration=registered, action="decline", by=users["staff"], note="重复报到"
    )
    client.force_login(users["resident"])
    html = client.get("/portal/party/").content.decode()
    assert 'data-testid="steps"' in html
    assert "已报到" in html and "重复报到" in html
    assert users["staff"].name not in html
