"""Scoping rows: grid care.

Visits, incidents and pairings are read where the login sees personal
data, recorded where she records care (grid workers, building leaders,
community staff), and care plans are set where she configures tags (street
and district). ``{incident}`` is an incident placed at the place itself,
``{visit}`` and ``{photo}`` a visit (with a photo) to the person living in
a household, ``{pairing}`` a pairing of that household; each is made on
first use in a test and rolled back with it.

Recording a visit through the API takes a multipart form the matrix does
not send; its 404/403 cases are in test_care_api.py.
"""

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from gongzhi.accounts.models import User
from gongzhi.areas.models import Kind
from gongzhi.residents.models import Incident, Pairing, Person, Visit, VisitPhoto
from tests.test_scoping_matrix import Row

from .scoping_rows_people import HOUSEHOLDS

CARE = "perm:care.record"
VIEW = "perm:personal.view"
CONFIGURE = "perm:tag.configure"
TODAY = timezone.localdate().isoformat()
MARK = "矩阵"
PROBE = "visits/matrix-probe.png"


def _someone() -> User:
    return User.objects.order_by("pk").first()


def incident_at(area) -> int:
    incident = Incident.objects.filter(area=area, description=MARK).first()
    if incident is None:
        incident = Incident.objects.create(
            area=area,
            kind="fall",
            occurred_at=timezone.now(),
            description=MARK,
            created_by=_someone(),
        )
    return incident.pk


def _probe() -> str:
    if not default_storage.exists(PROBE):
        buffer = io.BytesIO()
        Image.new("RGB", (2, 2), "red").save(buffer, format="PNG")
        default_storage.save(PROBE, ContentFile(buffer.getvalue()))
    return PROBE


def visit_at(area) -> int:
    if area.kind != Kind.HOUSEHOLD:
        return 0
    visit = Visit.objects.filter(household=area, findings=MARK).first()
    if visit is None:
        person = Person.objects.filter(household=area).order_by("pk").first()
        if person is None:
            return 0
        visit = Visit.objects.create(
            person=person,
            household=area,
            worker=_someone(),
            visited_on=timezone.localdate(),
            form="home",
            findings=MARK,
        )
        VisitPhoto.objects.create(visit=visit, image=_probe())
    return visit.pk


def photo_at(area) -> int:
    visit = visit_at(area)
    photo = VisitPhoto.objects.filter(visit_id=visit).first()
    return photo.pk if photo else 0


def pairing_at(area) -> int:
    if area.kind != Kind.HOUSEHOLD:
        return 0
    pairing = Pairing.objects.filter(household=area, partner_name=MARK).first()
    if pairing is None:
        pairing = Pairing.objects.create(
            household=area, partner_name=MARK, started_on=timezone.localdate()
        )
    return pairing.pk


NOT_HOUSEHOLDS = (
    "district street community other_community grid sibling_grid other_grid "
    "estate building entrance"
)
P = "/workbench/residents/care"
A = "/api/v1/residents"

ROWS = [
    # Pages
    Row("care due list", "GET", P + "/due/?area={area}", needs=CARE),
    Row(
        "care due list by tag",
        "GET",
        P + "/due/?area={area}&tag=1",
        needs=CARE,
        places="grid other_grid household",
    ),
    Row(
        "care plans page",
        "GET",
        P + "/plans/?area={area}",
        needs=CONFIGURE,
        places=NOT_HOUSEHOLDS,
    ),
    Row(
        "care plans post",
        "POST",
        P + "/plans/?area={area}",
        needs=CONFIGURE,
        ok=302,
        places=NOT_HOUSEHOLDS,
    ),
    Row(
        "visit form",
        "GET",
        P + "/visits/new/?person={person}",
        needs=CARE,
        places=HOUSEHOLDS,
    ),
    Row(
        "visit form post",
        "POST",
        P + "/visits/new/?person={person}",
        needs=CARE,
        ok=302,
        places=HOUSEHOLDS,
        body={"form": "home", "visited_on": TODAY, "findings": MARK},
    ),
    Row(
        "visits of a person",
        "GET",
        P + "/visits/?person={person}",
        needs=VIEW,
        places=HOUSEHOLDS,
    ),
    Row("visit page", "GET", P + "/visits/{visit}/", needs=VIEW, places=HOUSEHOLDS),
    Row(
        "visit photo",
        "GET",
        P + "/visits/{visit}/photos/{photo}/",
        needs=VIEW,
        places=HOUSEHOLDS,
    ),
    Row(
        "incidents of a person",
        "GET",
        P + "/incidents/?person={person}",
        needs=VIEW,
        places=HOUSEHOLDS,
    ),
    Row(
        "incident form for a person",
        "GET",
        P + "/incidents/new/?person={person}",
        needs=CARE,
        places=HOUSEHOLDS,
    ),
    Row(
        "incident form for a place",
        "GET",
        P + "/incidents/new/?area={area}",
        needs=CARE,
    ),
    Row("incident page", "GET", P + "/incidents/{incident}/", needs=VIEW),
    Row(
        "incident note post",
        "POST",
        P + "/incidents/{incident}/note/",
        needs=CARE,
        ok=302,
        body={"note": MARK},
    ),
    Row(
        "incident call post",
        "POST",
        P + "/incidents/{incident}/call/",
        needs=CARE,
        ok=302,
        places="grid other_grid household building",
        body={"to": "120", "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    ),
    Row(
        "incident outcome post",
        "POST",
        P + "/incidents/{incident}/outcome/",
        needs=CARE,
        ok=302,
        places="grid other_grid household building",
        body={"outcome": MARK},
    ),
    Row(
        "incident person post (nobody chosen: refused on the page)",
        "POST",
        P + "/incidents/{incident}/person/",
        needs=CARE,
        ok=400,
    ),
    Row(
        "incident close post",
        "POST",
        P + "/incidents/{incident}/close/",
        needs=CARE,
        ok=302,
        places="grid other_grid household building",
    ),
    Row("pairings of a place", "GET", P + "/pairings/?household={area}", needs=VIEW),
    Row(
        "pairing form",
        "GET",
        P + "/pairings/new/?household={area}",
        needs=CARE,
        places=HOUSEHOLDS,
    ),
    Row(
        "pairing form for a person",
        "GET",
        P + "/pairings/new/?person={person}",
        needs=CARE,
        places=HOUSEHOLDS,
    ),
    Row(
        "pairing page", "GET", P + "/pairings/{pairing}/", needs=VIEW, places=HOUSEHOLDS
    ),
    Row(
        "pairing delivery post",
        "POST",
        P + "/pairings/{pairing}/deliveries/",
        needs=CARE,
        ok=302,
        places=HOUSEHOLDS,
        body={"what": MARK, "delivered_on": TODAY},
    ),
    Row(
        "pairing end post",
        "POST",
        P + "/pairings/{pairing}/end/",
        needs=CARE,
        ok=302,
        places=HOUSEHOLDS,
        body={"ended_on": TODAY},
    ),
    Row(
        "person care summary",
        "GET",
        P + "/people/{person}/",
        needs=VIEW,
        places=HOUSEHOLDS,
    ),
    # The API
    Row(
        "api care due",
        "GET",
        A + "/care/due?area_id={area}",
        api=True,
        needs=CARE,
        seen=403,
    ),
    Row(  # a form with photos: sent as one
        "api record a visit",
        "POST",
        A + "/visits",
        api=True,
        needs=CARE,
        ok=201,
        seen=403,
        places=HOUSEHOLDS,
        body={
            "person_id": "{person}",
            "visited_on": TODAY,
            "form": "home",
            "findings": MARK,
        },
        multipart=True,
    ),
    Row(
        "api visits of a person",
        "GET",
        A + "/visits?person_id={person}",
        api=True,
        needs=VIEW,
        seen=403,
        places=HOUSEHOLDS,
    ),
    Row(
        "api visit",
        "GET",
        A + "/visits/{visit}",
        api=True,
        needs=VIEW,
        seen=403,
        places=HOUSEHOLDS,
    ),
    Row(
        "api visit photos without a file",
        "POST",
        A + "/visits/{visit}/photos",
        api=True,
        needs=CARE,
        ok=400,
        seen=403,
        places=HOUSEHOLDS,
    ),
    Row(
        "api incidents of a person",
        "GET",
        A + "/incidents?person_id={person}",
        api=True,
        needs=VIEW,
        seen=403,
        places=HOUSEHOLDS,
    ),
    Row(
        "api incident create",  # the place is in the body: outside is 400
        "POST",
        A + "/incidents",
        api=True,
        needs=CARE,
        ok=201,
        seen=403,
        outside=400,
        body={
            "area_id": "{area}",
            "kind": "fall",
            "occurred_at": timezone.now().isoformat(),
            "description": MARK,
        },
    ),
    Row(
        "api incident",
        "GET",
        A + "/incidents/{incident}",
        api=True,
        needs=VIEW,
        seen=403,
    ),
    Row(
        "api incident event",
        "POST",
        A + "/incidents/{incident}/events",
        api=True,
        needs=CARE,
        ok=201,
        seen=403,
        body={"type": "note", "text": MARK},
    ),
    Row(
        "api incident person (no such person: a field error)",
        "POST",
        A + "/incidents/{incident}/person",
        api=True,
        needs=CARE,
        ok=400,
        seen=403,
        body={"person_id": 0},
    ),
    Row(
        "api incident close",
        "POST",
        A + "/incidents/{incident}/close",
        api=True,
        needs=CARE,
        seen=403,
        body={"note": MARK},
    ),
    Row(
        "api pairings of a place",
        "GET",
        A + "/pairings?household_id={area}",
        api=True,
        needs=VIEW,
        seen=403,
    ),
    Row(
        "api pairing create",  # the household is in the body: outside is 400
        "POST",
        A + "/pairings",
        api=True,
        needs=CARE,
        ok=201,
        seen=403,
        outside=400,
        places=HOUSEHOLDS,
        body={
            "household_id": "{area}",
            "partner_name": "共建单位",
            "started_on": TODAY,
        },
    ),
    Row(
        "api pairing delivery",
        "POST",
        A + "/pairings/{pairing}/deliveries",
        api=True,
        needs=CARE,
        ok=201,
        seen=403,
        places=HOUSEHOLDS,
        body={"what": MARK, "delivered_on": TODAY},
    ),
    Row(
        "api pairing end",
        "POST",
        A + "/pairings/{pairing}/end",
        api=True,
        needs=CARE,
        seen=403,
        places=HOUSEHOLDS,
        body={"ended_on": TODAY},
    ),
    Row(
        "api care plans",
        "GET",
        A + "/care-plans?area_id={area}",
        api=True,
        needs=CONFIGURE,
        seen=403,
    ),
    Row(
        "api care plans set",
        "PUT",
        A + "/care-plans",
        api=True,
        needs=CONFIGURE,
        seen=403,
        body={"area_id": "{area}", "plans": []},
    ),
]
PLACE_NAMES = {
    "incident": incident_at,
    "visit": visit_at,
    "photo": photo_at,
    "pairing": pairing_at,
}
