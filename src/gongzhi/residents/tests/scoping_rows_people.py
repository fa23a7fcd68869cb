"""Scoping rows: people.

``{person}`` is someone living in the place. Only households hold people,
so rows naming ``{person}`` list ``places=HOUSEHOLDS``: a person found under
a community would lie in one of its grids, and a grid worker reaching him
there would not be a leak.

``{person_tag}`` is an open tag of that person and ``{free_tag}`` a default
tag she does not carry; ``{street_tag}`` is a tag of the place's own street,
made on first use in a test and rolled back with it.

The registry list without ``?area=`` and the portal record name no place:
the list's reach by role is told in test_people_views.py.
"""

from django.utils import timezone

from gongzhi.areas.models import Area, Kind
from gongzhi.areas.tree import ancestor_path
from gongzhi.residents.models import Person, PersonTag, TagType
from tests.test_scoping_matrix import Row

HOUSEHOLDS = "household neighbour_household other_household"
# Tag pages configure a street: the district has none of its own.
BELOW_DISTRICT = (
    "street community other_community grid sibling_grid other_grid estate "
    "building entrance household"
)

VIEW = "perm:personal.view"
FULL = "perm:personal.full"
MANAGE = "perm:resident.manage"
CONFIGURE = "perm:tag.configure"
TODAY = timezone.localdate().isoformat()
MARK = "矩阵"


def person_at(area) -> int:
    person = Person.objects.filter(household=area).order_by("pk").first()
    return person.pk if person else 0


def _free_tag(person_pk: int, *, last: bool = False) -> TagType | None:
    """A default tag the person does not carry: the first for adding, the
    last for ``person_tag_at`` to give her, so the two never collide."""
    held = PersonTag.objects.filter(person_id=person_pk, end__isnull=True)
    return (
        TagType.objects.filter(street__isnull=True, has_grade=False, active=True)
        .exclude(pk__in=held.values("tag_id"))
        .order_by("-pk" if last else "pk")
        .first()
    )


def free_tag_at(area) -> int:
    tag = _free_tag(person_at(area))
    return tag.pk if tag else 0


def person_tag_at(area) -> int:
    pk = person_at(area)
    if not pk:
        return 0
    person_tag = PersonTag.objects.filter(person_id=pk, end__isnull=True).first()
    if person_tag is None:
        person_tag = PersonTag.objects.create(
            person_id=pk, tag=_free_tag(pk, last=True), start=timezone.localdate()
        )
    return person_tag.pk


def street_tag_at(area) -> int:
    if area.depth < 2:
        return 0
    street = Area.objects.get(path=ancestor_path(area, Kind.STREET))
    tag, _ = TagType.objects.get_or_create(
        street=street, code="matrix", defaults={"name": MARK}
    )
    return tag.pk


P = "/workbench/residents"
A = "/api/v1/residents"
PERSON = P + "/people/{person}"

ROWS = [
    # Pages
    Row("people list of a place", "GET", P + "/people/?area={area}", needs=VIEW),
    Row(
        "people list searched",
        "GET",
        P + "/people/?area={area}&q=zgl&status=all&age_band=60-79",
        needs=VIEW,
    ),
    Row("person page", "GET", PERSON + "/", needs=VIEW, places=HOUSEHOLDS),
    Row(
        "person reveal post",
        "POST",
        PERSON + "/reveal/",
        needs=FULL,
        places=HOUSEHOLDS,
        body={"field": "id_number"},
    ),
    Row(
        "household page",
        "GET",
        P + "/households/{area}/",
        needs=VIEW,
        places=HOUSEHOLDS,
    ),
    Row(
        "register form",
        "GET",
        P + "/people/new/?household={area}",
        needs=MANAGE,
        places=HOUSEHOLDS,
    ),
    Row(
        "register form post",
        "POST",
        P + "/people/new/?household={area}",
        needs=MANAGE,
        ok=302,
        places=HOUSEHOLDS,
        body={
            "name": MARK,
            "id_type": "passport",
            "id_number": "E12345678",
            "gender": "female",
            "relation": "other",
            "residency": "liudong",
        },
    ),
    Row("edit form", "GET", PERSON + "/edit/", needs=MANAGE, places=HOUSEHOLDS),
    Row(
        "edit form post",
        "POST",
        PERSON + "/edit/",
        needs=MANAGE,
        ok=302,
        places=HOUSEHOLDS,
        body={"name": MARK, "id_type": "resident_id", "note": MARK},
    ),
    Row(
        "move out post",
        "POST",
        PERSON + "/move-out/",
        needs=MANAGE,
        ok=302,
        places=HOUSEHOLDS,
        body={"date": TODAY, "reason": MARK},
    ),
    Row(
        "move in form",
        "GET",
        PERSON + "/move-in/?q=101",
        needs=MANAGE,
        places=HOUSEHOLDS,
    ),
    Row(
        "move in post",  # into the household she lives in: reached, done
        "POST",
        PERSON + "/move-in/",
        needs=MANAGE,
        ok=302,
        places=HOUSEHOLDS,
        body={
            "household": "{area}",
            "relation": "other",
            "residency": "changzhu",
            "date": TODAY,
        },
    ),
    Row(
        "death post",
        "POST",
        PERSON + "/death/",
        needs=MANAGE,
        ok=302,
        places=HOUSEHOLDS,
        body={"date": TODAY},
    ),
    Row(
        "tag add post",
        "POST",
        PERSON + "/tags/",
        needs=MANAGE,
        ok=302,
        places=HOUSEHOLDS,
        body={"tag": "{free_tag}", "start": TODAY},
    ),
    Row(
        "tag end post",
        "POST",
        PERSON + "/tags/{person_tag}/end/",
        needs=MANAGE,
        ok=302,
        places=HOUSEHOLDS,
        body={"end": TODAY},
    ),
    # The district has no tags of its own: its page picks a street.
    Row("tag configuration page", "GET", P + "/tags/?area={area}", needs=CONFIGURE),
    Row(
        "tag configuration post",
        "POST",
        P + "/tags/?area={area}",
        needs=CONFIGURE,
        ok=302,
        places=BELOW_DISTRICT,
        body={"name": "失独家庭", "code": "lost_only_child", "visit_every_days": 30},
    ),
    Row(
        "tag switch off post",
        "POST",
        P + "/tags/{street_tag}/off/",
        needs=CONFIGURE,
        ok=302,
        places=BELOW_DISTRICT,
    ),
    Row(  # switched on already: reached, and nothing changes
        "tag switch on post",
        "POST",
        P + "/tags/{street_tag}/on/",
        needs=CONFIGURE,
        ok=302,
        places=BELOW_DISTRICT,
    ),
    Row("portal record", "GET", "/portal/me/record/", needs="login"),
    # The API
    Row(
        "api people of a place",
        "GET",
        A + "/people?area_id={area}",
        api=True,
        needs=VIEW,
        seen=403,
    ),
    Row("api people", "GET", A + "/people?q=zgl&limit=5", api=True, needs="login"),
    Row(
        "api person",
        "GET",
        A + "/people/{person}",
        api=True,
        needs=VIEW,
        seen=403,
        places=HOUSEHOLDS,
    ),
    Row(
        "api person create",  # the household is in the body: outside is 400
        "POST",
        A + "/people",
        api=True,
        needs=MANAGE,
        ok=201,
        seen=403,
        outside=400,
        places=HOUSEHOLDS,
        body={
            "household_id": "{area}",
            "name": MARK,
            "gender": "male",
            "id_type": "passport",
            "relation": "other",
            "residency": "liudong",
        },
    ),
    Row(
        "api person update",
        "PATCH",
        A + "/people/{person}",
        api=True,
        needs=MANAGE,
        seen=403,
        places=HOUSEHOLDS,
        body={"note": MARK},
    ),
    Row(
        "api person move out",
        "POST",
        A + "/people/{person}/move-out",
        api=True,
        needs=MANAGE,
        seen=403,
        places=HOUSEHOLDS,
        body={"date": TODAY},
    ),
    Row(
        "api person move in",  # into her own household: reached, done
        "POST",
        A + "/people/{person}/move-in",
        api=True,
        needs=MANAGE,
        seen=403,
        places=HOUSEHOLDS,
        body={
            "household_id": "{area}",
            "relation": "other",
            "residency": "changzhu",
            "date": TODAY,
        },
    ),
    Row(
        "api person death",
        "POST",
        A + "/people/{person}/death",
        api=True,
        needs=MANAGE,
        seen=403,
        places=HOUSEHOLDS,
        body={"date": TODAY},
    ),
    Row(
        "api person reveal",
        "POST",
        A + "/people/{person}/reveal",
        api=True,
        needs=FULL,
        seen=403,
        places=HOUSEHOLDS,
        body={"field": "phone"},
    ),
    Row(
        "api household",
        "GET",
        A + "/households/{area}",
        api=True,
        needs=VIEW,
        seen=403,
        places=HOUSEHOLDS,
    ),
    Row(
        "api tags of a place",
        "GET",
        A + "/tags?area_id={area}",
        api=True,
        needs=VIEW,
        seen=403,
    ),
    Row("api tags", "GET", A + "/tags", api=True, needs="login"),
    Row(
        "api tag create",  # the street is in the body: elsewhere "no such street"
        "POST",
        A + "/tags",
        api=True,
        needs=CONFIGURE,
        ok=201,
        seen=400,
        outside=400,
        places="street",
        body={"street_id": "{area}", "code": "lost_only_child", "name": "失独家庭"},
    ),
    Row(  # only who configures the street finds its tag; in use already: 400
        "api tag switch on",
        "POST",
        A + "/tags/{street_tag}/activate",
        api=True,
        needs=CONFIGURE,
        ok=400,
        seen=404,
        places=BELOW_DISTRICT,
    ),
    Row(
        "api tag switch off",  # only who configures the street finds its tag
        "POST",
        A + "/tags/{street_tag}/deactivate",
        api=True,
        needs=CONFIGURE,
        seen=404,
        places=BELOW_DISTRICT,
    ),
    Row(
        "api person tag add",
        "POST",
        A + "/people/{person}/tags",
        api=True,
        needs=MANAGE,
        ok=201,
        seen=403,
        places=HOUSEHOLDS,
        body={"tag_id": "{free_tag}", "start": TODAY},
    ),
    Row(
        "api person tag end",
        "POST",
        A + "/person-tags/{person_tag}/end",
        api=True,
        needs=MANAGE,
        seen=403,
        places=HOUSEHOLDS,
        body={"end": TODAY},
    ),
]
PLACE_NAMES = {
    "person": person_at,
    "free_tag": free_tag_at,
    "person_tag": person_tag_at,
    "street_tag": street_tag_at,
}
