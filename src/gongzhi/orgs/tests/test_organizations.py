"""Recording organizations and co-building agreements."""

import datetime as dt

import pytest

from gongzhi.core.errors import NotAllowed, ValidationFailed
from gongzhi.orgs.models import Agreement, Organization, OrgKind
from gongzhi.orgs.services.organizations import (
    agreement_create,
    org_create,
    org_retire,
)

D = dt.date


def test_staff_record_a_committee_with_an_encrypted_masked_phone(areas, users):
    org = org_create(
        area=areas["community"],
        kind=OrgKind.PARTY_COMMITTEE,
        name=" 三盛里社区大党委 ",
        contact_name="张丽华",
        contact_phone="138 0000 0003",
        by=users["staff"],
    )
    assert org.name == "三盛里社区大党委"
    assert "13800000003" not in org.contact_phone_encrypted
    assert org.contact_phone == "13800000003"
    assert org.contact_phone_masked == "138****0003"
    assert org.created_by == users["staff"]


@pytest.mark.parametrize(
    ("place", "changes", "field"),
    [
        ("community", {"kind": "club"}, "kind"),
        ("community", {"name": "  "}, "name"),
        ("community", {"name": "党" * 101}, "name"),
        ("community", {"contact_phone": "12345"}, "contact_phone"),
        ("community", {"contact_name": "张" * 51}, "contact_name"),
        ("estate", {}, "area"),  # a committee belongs to a community
        ("grid", {"kind": OrgKind.PROPERTY}, "area"),
    ],
)
def test_bad_input_names_its_field_and_records_nothing(
    areas, users, place, changes, field
):
    values = {"kind": OrgKind.PARTY_COMMITTEE, "name": "三盛里社区大党委"}
    values.update(changes)
    with pytest.raises(ValidationFailed) as refused:
        org_create(area=areas[place], by=users["staff"], **values)
    assert refused.value.field == field
    assert str(refused.value.message)
    assert not Organization.objects.exists()


def test_a_second_committee_or_property_company_is_refused(chain_orgs, areas, users):
    with pytest.raises(ValidationFailed) as refused:
        org_create(
            area=areas["estate"],
            kind=OrgKind.PROPERTY,
            name="另一家物业",
            by=users["staff"],
        )
    assert refused.value.field == "kind"
    # Once the old company is retired, the new one takes over.
    org_retire(org=chain_orgs.property, by=users["staff"])
    org_create(
        area=areas["estate"],
        kind=OrgKind.PROPERTY,
        name="另一家物业",
        by=users["staff"],
    )
    assert Organization.objects.filter(kind=OrgKind.PROPERTY).count() == 2


def test_co_building_units_may_be_many_but_names_differ(unit, areas, users):
    org_create(
        area=areas["community"],
        kind=OrgKind.CO_BUILDING,
        name="和平区卫健委",
        by=users["staff"],
    )
    with pytest.raises(ValidationFailed) as refused:
        org_create(
            area=areas["community"],
            kind=OrgKind.CO_BUILDING,
            name="和平区教育局",
            by=users["staff"],
        )
    assert refused.value.field == "name"


def test_staff_of_another_community_and_grid_workers_may_not_record(areas, users):
    for key in ("staff", "grid_worker", "street_manager"):
        with pytest.raises(NotAllowed):
            org_create(
                area=areas["other_community"] if key == "staff" else areas["estate"],
                kind=OrgKind.SOCIAL if key == "staff" else OrgKind.OWNERS_COMMITTEE,
                name="某组织",
                by=users[key],
            )
    assert not Organization.objects.exists()


def test_a_parent_must_belong_to_the_same_community(areas, users):
    other = org_create(
        area=areas["other_community"],
        kind=OrgKind.PARTY_COMMITTEE,
        name="裕华园社区大党委",
        by=_secretary_of_other(areas, users),
    )
    with pytest.raises(ValidationFailed) as refused:
        org_create(
            area=areas["estate"],
            kind=OrgKind.PARTY_BRANCH,
            name="航院小区党支部",
            parent=other,
            by=users["staff"],
        )
    assert refused.value.field == "parent"


def _secretary_of_other(areas, users):
    from gongzhi.accounts.models import Grant

    Grant.objects.create(
        user=users["unit"], area=areas["other_community"], role="secretary"
    )
    users["unit"].__dict__.pop("_scope_cache", None)
    return users["unit"]


def test_an_agreement_records_its_term_and_commitments(unit, areas, users):
    agreement = agreement_create(
        unit=unit,
        signed_on=D(2026, 3, 1),
        ends_on=D(2028, 2, 28),
        commitments="每月一次志愿服务；开放单位活动室。",
        by=users["staff"],
    )
    assert agreement.community == areas["community"]
    assert agreement.is_current(D(2026, 6, 1))
    assert not agreement.is_current(D(2028, 3, 1))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_on": D(2026, 3, 1)}, "ends_on"),
        ({"ends_on": D(2025, 1, 1)}, "ends_on"),
        ({"ends_on": D(2040, 1, 1)}, "ends_on"),
        ({"commitments": " "}, "commitments"),
        ({"signed_on": "yesterday"}, "signed_on"),
    ],
)
def test_a_bad_agreement_names_its_field_and_records_nothing(
    unit, users, changes, field
):
    values = {
        "signed_on": D(2026, 3, 1),
        "ends_on": D(2028, 2, 28),
        "commitments": "每月一次志愿服务",
    }
    values.update(changes)
    with pytest.raises(ValidationFailed) as refused:
        agreement_create(unit=unit, by=users["staff"], **values)
    assert refused.value.field == field
    assert not Agreement.objects.exists()


def test_agreements_are_signed_with_co_building_units_only(chain_orgs, users):
    with pytest.raises(ValidationFailed) as refused:
        agreement_create(
            unit=chain_orgs.property,
            signed_on=D(2026, 3, 1),
            ends_on=D(2027, 3, 1),
            commitments="保洁",
            by=users["staff"],
        )
    assert refused.value.field == "unit"


def test_another_communitys_staff_may_not_record_an_agreement(unit, areas, users):
    with pytest.raises(NotAllowed):
        agreement_create(
            unit=unit,
            community=areas["other_community"],
            signed_on=D(2026, 3, 1),
            ends_on=D(2027, 3, 1),
            commitments="保洁",
            by=users["staff"],
        )
    assert not Agreement.objects.exists()
