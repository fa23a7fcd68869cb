"""Registry endpoints: people, households, tags.

Objects are looked up where the caller sees their area (404 elsewhere);
one she sees but whose personal data her role does not read, or where her
role does not manage residents, answers 403. ID and phone numbers leave
masked; ``POST /people/{id}/reveal`` gives the full value and writes it to
the audit trail.
"""

from typing import Literal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gongzhi.accounts.refusals import ERRORS, NOT_ALLOWED, area_seen, seen
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import scope_paths, scoped
from gongzhi.core.errors import ValidationFailed, fields_renamed

from ..models import Person, PersonTag, TagType
from ..schemas import (
    DeathIn,
    HouseholdOut,
    MoveInIn,
    MoveOutIn,
    PersonCreateIn,
    PersonListOut,
    PersonOut,
    PersonTagEndIn,
    PersonTagIn,
    PersonTagOut,
    PersonUpdateIn,
    RevealIn,
    RevealOut,
    TagIn,
    TagOut,
)
from ..selectors.people import PeopleFilter, people_search, person_seen
from ..services import people as services
from ..services import tags as tag_services
from ..services.people import tag_types_for, tag_types_touching
from ..views.people import (
    address_of,
    household_members,
    person_changes,
    person_history,
    person_tags,
)

router = Router(tags=["residents"])

# Services name what they act on; the API calls it by its id.
API_FIELDS = {
    "household": "household_id",
    "tag": "tag_id",
}


def _person(request, pk: int, perm: str = Perm.PERSONAL_VIEW) -> Person:
    return person_seen(request, pk, perm)


def _area(request, pk: int, perm: str = Perm.PERSONAL_VIEW) -> Area:
    return area_seen(request, pk, perm)


def _referenced_household(request, pk: int) -> Area:
    """A household named in a body: unknown and out of sight look alike."""
    area = scoped(Area.objects.all(), user=request.user, via="").filter(pk=pk).first()
    if area is None:
        raise ValidationFailed(_("No such household."), field="household_id")
    return area


def _detail(person: Person) -> Person:
    """The person, dressed for ``PersonOut``."""
    person.address = address_of(person.last_household)
    person.tag_list = person_tags(person)
    person.membership_list = person_history(person)
    return person


# People


class PeopleQuery(Schema):
    q: str = ""
    area_id: int | None = None
    tag_id: int | None = None
    age_band: Literal["", "0-17", "18-59", "60-79", "80+"] = ""
    status: Literal["active", "moved_out", "deceased", "elsewhere", "all"] = "active"


@router.get(
    "/people",
    response={200: list[PersonListOut], **NOT_ALLOWED},
    summary="People in scope: search and filters as on the registry list",
)
@paginate(LimitOffsetPagination, page_size=50)
def people_list(request, filters: Query[PeopleQuery]):
    if len(filters.q) > 50:
        raise ValidationFailed(_("Search for at most 50 characters."), field="q")
    area = _area(request, filters.area_id) if filters.area_id is not None else None
    return people_search(
        user=request.user,
        filters=PeopleFilter(
            q=filters.q,
            area=area,
            tag=filters.tag_id,
            age_band=filters.age_band,
            status="" if filters.status == "all" else filters.status,
        ),
    )


@router.get(
    "/people/{int:person_id}",
    response={200: PersonOut, **NOT_ALLOWED},
    summary="One person, masked, with tags and household history",
)
def person_detail(request, person_id: int):
    return _detail(_person(request, person_id))


@router.post(
    "/people",
    response={201: PersonOut, **ERRORS},
    summary="Register a person in a household",
)
def person_create(request, payload: PersonCreateIn):
    household = _referenced_household(request, payload.household_id)
    data = payload.dict(exclude={"household_id"})
    with fields_renamed(**API_FIELDS):
        person = services.person_create(
            household=household, by=request.user, request=request, **data
        )
    return Status(201, _detail(person))


@router.patch(
    "/people/{int:person_id}",
    response={200: PersonOut, **ERRORS},
    summary="Correct a person's details; omitted fields stay",
)
def person_update(request, person_id: int, payload: PersonUpdateIn):
    person = _person(request, person_id)
    changes = payload.dict(exclude_unset=True)
    for name, value in list(changes.items()):
        if value is None:
            if name not in {"phone", "note", "id_number", "birth_date"}:
                raise ValidationFailed(_("This field cannot be empty."), field=name)
            changes[name] = None if name == "birth_date" else ""
    with fields_renamed(**API_FIELDS):
        person = services.person_update(
            person=person,
            by=request.user,
            request=request,
            **person_changes(person, changes),
        )
    return _detail(_person(request, person.pk))


@router.post(
    "/people/{int:person_id}/move-out",
    response={200: PersonOut, **ERRORS},
    summary="迁出: close the person's stay; the history is kept",
)
def person_move_out(request, person_id: int, payload: MoveOutIn):
    person = _person(request, person_id)
    with fields_renamed(**API_FIELDS):
        services.person_move_out(
            person=person,
            on=payload.date,
            reason=payload.reason,
            by=request.user,
            request=request,
        )
    return _detail(_person(request, person.pk))


@router.post(
    "/people/{int:person_id}/move-in",
    response={200: PersonOut, **ERRORS},
    summary="迁入: move the person into a household",
)
def person_move_in(request, person_id: int, payload: MoveInIn):
    person = _person(request, person_id)
    household = _referenced_household(request, payload.household_id)
    with fields_renamed(**API_FIELDS):
        services.person_move_in(
            person=person,
            household=household,
            relation=payload.relation,
            residency=payload.residency,
            on=payload.date,
            by=request.user,
            request=request,
        )
    return _detail(_person(request, person.pk))


@router.post(
    "/people/{int:person_id}/death",
    response={200: PersonOut, **ERRORS},
    summary="Record a death; the record stays and its tags end",
)
def person_death(request, person_id: int, payload: DeathIn):
    person = _person(request, person_id)
    with fields_renamed(**API_FIELDS):
        services.person_record_death(
            person=person, on=payload.date, by=request.user, request=request
        )
    return _detail(_person(request, person.pk))


@router.post(
    "/people/{int:person_id}/reveal",
    response={200: RevealOut, **ERRORS},
    summary="The full ID or phone number; written to the audit trail",
)
def person_reveal(request, person_id: int, payload: RevealIn):
    person = _person(request, person_id)
    value = services.person_reveal(
        person=person, field=payload.field, by=request.user, request=request
    )
    return {"field": payload.field, "value": value}


# Tags


class TagQuery(Schema):
    area_id: int | None = None


@router.get(
    "/tags",
    response={200: list[TagOut], **NOT_ALLOWED},
    summary="Key-population tags offered at a place (default: the caller's)",
)
def tag_list(request, filters: Query[TagQuery]):
    if filters.area_id is not None:
        return list(tag_types_for(area=_area(request, filters.area_id)))
    return list(tag_types_touching(paths=scope_paths(request.user, Perm.PERSONAL_VIEW)))


@router.post(
    "/tags",
    response={201: TagOut, **ERRORS},
    summary="Add a street's own key-population tag (street and district managers)",
)
def tag_create(request, payload: TagIn):
    street = (
        scoped(Area.objects.all(), user=request.user, via="", perm=Perm.TAG_CONFIGURE)
        .filter(pk=payload.street_id)
        .first()
    )
    if street is None:
        raise ValidationFailed(_("No such street."), field="street_id")
    with fields_renamed(street="street_id"):
        tag = tag_services.tag_type_create(
            street=street,
            code=payload.code,
            name=payload.name,
            has_grade=payload.has_grade,
            visit_every_days=payload.visit_every_days,
            by=request.user,
        )
    return Status(201, tag)


def _street_tag(request, tag_id: int) -> TagType:
    """A street's own tag, where the caller configures that street's tags;
    404 for anyone else, as on the page."""
    configurable = scoped(
        TagType.objects.filter(street__isnull=False),
        user=request.user,
        via="street",
        perm=Perm.TAG_CONFIGURE,
    )
    return get_object_or_404(configurable, pk=tag_id)


@router.post(
    "/tags/{int:tag_id}/deactivate",
    response={200: TagOut, **ERRORS},
    summary="Stop offering a street's tag; people keep the tags they carry",
)
def tag_deactivate(request, tag_id: int):
    with fields_renamed(tag="tag_id"):
        return tag_services.tag_type_deactivate(
            tag=_street_tag(request, tag_id), by=request.user
        )


@router.post(
    "/tags/{int:tag_id}/activate",
    response={200: TagOut, **ERRORS},
    summary="Offer a switched-off street tag again",
)
def tag_activate(request, tag_id: int):
    with fields_renamed(tag="tag_id"):
        return tag_services.tag_type_activate(
            tag=_street_tag(request, tag_id), by=request.user
        )


@router.post(
    "/people/{int:person_id}/tags",
    response={201: PersonTagOut, **ERRORS},
    summary="Give a person a tag from a date",
)
def person_tag_add(request, person_id: int, payload: PersonTagIn):
    person = _person(request, person_id)
    tag = TagType.objects.filter(pk=payload.tag_id).first()
    if tag is None:
        raise ValidationFailed(_("This tag is not used here."), field="tag_id")
    with fields_renamed(**API_FIELDS):
        person_tag = services.tag_add(
            person=person,
            tag=tag,
            start=payload.start,
            grade=payload.grade,
            note=payload.note,
            by=request.user,
            request=request,
        )
    return Status(201, person_tag)


@router.post(
    "/person-tags/{int:person_tag_id}/end",
    response={200: PersonTagOut, **ERRORS},
    summary="End a person's tag on a date",
)
def person_tag_end(request, person_tag_id: int, payload: PersonTagEndIn):
    person_tag = seen(
        PersonTag.objects.select_related("tag", "person__last_household"),
        request,
        person_tag_id,
        via="person__last_household",
        perm=Perm.PERSONAL_VIEW,
    )
    with fields_renamed(**API_FIELDS):
        return services.tag_end(
            person_tag=person_tag, end=payload.end, by=request.user, request=request
        )


# Households


@router.get(
    "/households/{int:area_id}",
    response={200: HouseholdOut, **NOT_ALLOWED},
    summary="Who lives in a household now, the head first",
)
def household_detail(request, area_id: int):
    household = _area(request, area_id)
    if household.kind != Kind.HOUSEHOLD:
        raise Http404
    return {
        "id": household.pk,
        "name": household.name,
        "address": address_of(household),
        "members": [
            {
                "person": person,
                "relation": stay.relation,
                "relation_label": str(stay.get_relation_display()),
                "residency": stay.residency,
                "residency_label": str(stay.get_residency_display()),
                "moved_in": stay.moved_in,
            }
            for person, stay in household_members(household)
        ],
    }
