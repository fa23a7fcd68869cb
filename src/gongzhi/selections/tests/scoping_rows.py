"""Scoping rows: selections and honours.

Staff read selections where they hold selection.view over the selection's
level and run them where they hold selection.manage; teams and units
nominate (selection.nominate). ``{sel_nominating}`` is a selection of a
community place taking nominations, with ``{nomination_review}`` in
review and ``{asked_me}`` asking the demo resident; ``{sel_voting}`` one in
its vote with the community's staff on its committee, ``{flag}`` a signal
on it; ``{nomination_honoured}`` an honoured nominee with ``{nomination_photo}``;
``{objection}`` an objection to a winner in publicity. Each is made on
first use and rolled back with the test. The resident's own rows
(``follows``) name her community only: there she is a voter of the
registry; staff who see the place without living there are refused.

The public pages (roll, 公示, photos, objecting) need no role and are
exempt in tests/test_scoping_complete.py; test_public.py proves they show
only what is publicised.
"""

import datetime as dt
import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.tree import street_of
from gongzhi.residents.models import Person, PersonStatus
from gongzhi.seeding import demo
from gongzhi.selections import selectors
from gongzhi.selections.models import (
    FraudFlag,
    Nomination,
    NominationPhoto,
    NominationStatus,
    Objection,
    Selection,
    SelectionStatus,
)
from gongzhi.selections.services.kinds import kinds_ensure
from tests.test_scoping_matrix import Row

VIEW = "perm:selection.view"
MANAGE = "perm:selection.manage"
NOMINATE = "perm:selection.nominate"
MINE = "follows"
COMMUNITIES = "community other_community"
S = "/api/v1/selections"
W = "/workbench/selections"
MARK = "矩阵"
RESIDENT_PHONE = next(x.phone for x in demo.LOGINS if x.role == "resident")
PHOTO = "selections/matrix.png"


def _kind(area):
    kinds = {k.code: k for k in kinds_ensure(street_of(area))}
    return kinds["good_people"]


def _people(area) -> list[Person]:
    return list(
        Person.objects.filter(
            household__path__within=area.path,
            user__isnull=True,
            status=PersonStatus.ACTIVE,
        ).order_by("pk")[:3]
    )


def _selection(area, status: str) -> Selection | None:
    if area.kind != Kind.COMMUNITY:
        return None
    title = f"{MARK}{status}"
    found = Selection.objects.filter(area=area, title=title).first()
    if found is not None:
        return found
    now = timezone.now()
    made = Selection.objects.create(
        kind=_kind(area),
        area=area,
        title=title,
        year=now.year,
        status=status,
        vote_opens=now - dt.timedelta(days=1),
        vote_closes=now + dt.timedelta(days=6),
        publicity_ends=now + dt.timedelta(days=7),
        draw_commitment="0" * 64,
        draw_secret="1" * 64,
    )
    if status == SelectionStatus.VOTING:
        made.committee.set(selectors.committee_candidates(area))
    return made


def _nomination(area, status: str, selection_status: str, index: int = 0) -> int:
    selection = _selection(area, selection_status)
    if selection is None:
        return 0
    found = selection.nominations.filter(status=status).first()
    if found is None:
        person = _people(area)[index]
        found = Nomination.objects.create(
            selection=selection,
            person=person,
            home=person.household,
            label=person.name,
            story=MARK,
            source="staff",
            status=status,
        )
    return found.pk


def sel_nominating(area) -> int:
    selection = _selection(area, SelectionStatus.NOMINATING)
    return selection.pk if selection else 0


def sel_voting(area) -> int:
    selection = _selection(area, SelectionStatus.VOTING)
    if selection is None:
        return 0
    _nomination(area, NominationStatus.VOTING, SelectionStatus.VOTING)
    return selection.pk


def voting_choices(area) -> list[int]:
    if not sel_voting(area):
        return [0]
    return [_nomination(area, NominationStatus.VOTING, SelectionStatus.VOTING)]


def nomination_review(area) -> int:
    return _nomination(area, NominationStatus.REVIEW, SelectionStatus.NOMINATING)


def nomination_honoured(area) -> int:
    return _nomination(area, NominationStatus.HONOURED, SelectionStatus.CLOSED)


def photo(area) -> int:
    nomination = nomination_honoured(area)
    if not nomination:
        return 0
    if not default_storage.exists(PHOTO):
        out = io.BytesIO()
        Image.new("RGB", (4, 4), "red").save(out, "PNG")
        default_storage.save(PHOTO, ContentFile(out.getvalue()))
    made, _new = NominationPhoto.objects.get_or_create(
        nomination_id=nomination, defaults={"image": PHOTO}
    )
    return made.pk


def flag(area) -> int:
    selection = sel_voting(area)
    if not selection:
        return 0
    now = timezone.now()
    made, _new = FraudFlag.objects.get_or_create(
        selection_id=selection,
        kind="network",
        key="10.0.0.1",
        defaults={"first_at": now, "last_at": now},
    )
    return made.pk


def objection(area) -> int:
    nomination = _nomination(
        area, NominationStatus.PUBLICITY, SelectionStatus.PUBLICITY
    )
    if not nomination:
        return 0
    made, _new = Objection.objects.get_or_create(
        nomination_id=nomination,
        defaults={"by": user_find_by_phone(phone=RESIDENT_PHONE), "reason": MARK},
    )
    return made.pk


def asked_me(area) -> int:
    selection = _selection(area, SelectionStatus.NOMINATING)
    person = user_find_by_phone(phone=RESIDENT_PHONE).person
    if selection is None or not person.household.path.startswith(area.path):
        return 0
    found, _new = Nomination.objects.get_or_create(
        selection=selection,
        person=person,
        status=NominationStatus.ASKED,
        defaults={
            "home": person.household,
            "label": person.name,
            "story": MARK,
            "source": "neighbour",
        },
    )
    return found.pk


def _nominee(area):
    people = _people(area)
    return people[2] if len(people) > 2 else None


def nominee_place(area) -> int:
    person = _nominee(area)
    return Area.objects.get_parent(person.household).pk if person else 0


def nominee_room(area) -> str:
    person = _nominee(area)
    return person.household.name if person else ""


def nominee_name(area) -> str:
    person = _nominee(area)
    return person.name if person else ""


def street_kind(area) -> int:
    street = street_of(area) if area.kind != Kind.DISTRICT else None
    return _kind(area).pk if street else 0


PLACE_NAMES = {
    "sel_nominating": sel_nominating,
    "sel_voting": sel_voting,
    "voting_choices": voting_choices,
    "voting_candidate": lambda area: voting_choices(area)[0],
    "nomination_review": nomination_review,
    "nomination_honoured": nomination_honoured,
    "nomination_photo": photo,
    "flag": flag,
    "objection": objection,
    "asked_me": asked_me,
    "nominee_place": nominee_place,
    "nominee_room": nominee_room,
    "nominee_name": nominee_name,
    "street_kind": street_kind,
}

ADDRESS = {
    "story": MARK,
    "place_id": "{nominee_place}",
    "room": "{nominee_room}",
    "name": "{nominee_name}",
}

ROWS = [
    # The workbench
    Row("selections: list", "GET", W + "/", needs="anywhere:selection.view"),
    Row("selections: kinds", "GET", W + "/kinds/", needs="anywhere:selection.manage"),
    Row(
        "selections: set-up page",
        "GET",
        W + "/new/?area={area}",
        needs=MANAGE,
        places=COMMUNITIES + " street",
    ),
    Row(
        "selections: a selection",
        "GET",
        W + "/{sel_nominating}/",
        needs=VIEW,
        places=COMMUNITIES,
    ),
    Row(
        "selections: cancel a selection",
        "POST",
        W + "/{sel_nominating}/act/",
        needs=MANAGE,
        ok=302,
        places=COMMUNITIES,
        body={"action": "cancel", "reason": MARK},
    ),
    Row(
        "selections: nominate page",
        "GET",
        W + "/{sel_nominating}/nominate/",
        needs=NOMINATE,
        places=COMMUNITIES,
    ),
    Row(
        "selections: a nomination",
        "GET",
        W + "/nominations/{nomination_review}/",
        needs=VIEW,
        places=COMMUNITIES,
    ),
    Row(
        "selections: approve a nomination",
        "POST",
        W + "/nominations/{nomination_review}/act/",
        needs=MANAGE,
        ok=302,
        places=COMMUNITIES,
        body={"action": "approve"},
    ),
    Row(
        "selections: a certificate",
        "GET",
        W + "/nominations/{nomination_honoured}/certificate/",
        needs=VIEW,
        places=COMMUNITIES,
    ),
    Row(
        "selections: a nominee's photo",
        "GET",
        W + "/photos/{nomination_photo}/",
        needs=VIEW,
        places=COMMUNITIES,
    ),
    Row(
        "selections: decide a fraud signal",
        "POST",
        W + "/flags/{flag}/decide/",
        needs=MANAGE,
        ok=302,
        places=COMMUNITIES,
        body={"action": "keep", "reason": MARK},
    ),
    Row(
        "selections: answer an objection",
        "POST",
        W + "/objections/{objection}/answer/",
        needs=MANAGE,
        ok=302,
        places=COMMUNITIES,
        body={"action": "dismiss", "answer": MARK},
    ),
    # The resident's phone
    Row("selections: portal", "GET", "/portal/selections/", needs="login"),
    Row(
        "selections: portal selection",
        "GET",
        "/portal/selections/{sel_nominating}/",
        needs=MINE,
        places="community",
    ),
    Row(
        "selections: portal nominate page",
        "GET",
        "/portal/selections/{sel_nominating}/nominate/",
        needs=MINE,
        places="community",
    ),
    Row(
        "selections: portal vote",
        "POST",
        "/portal/selections/{sel_voting}/vote/",
        needs=MINE,
        ok=302,
        places="community",
        body={"choices": "{voting_candidate}"},
    ),
    Row(
        "selections: portal answer as the nominee",
        "POST",
        "/portal/selections/nominations/{asked_me}/answer/",
        needs=MINE,
        ok=302,
        places="community",
        body={"action": "consent"},
    ),
    # The API
    Row(
        "selections api: selections of an area",
        "GET",
        S + "/areas/{area}/selections",
        api=True,
        needs=VIEW,
        seen=403,
    ),
    Row(
        "selections api: set up a selection",
        "POST",
        S + "/areas/{area}/selections",
        api=True,
        needs=MANAGE,
        ok=201,
        seen=403,
        places=COMMUNITIES + " street",
        body={
            "kind_id": "{street_kind}",
            "title": MARK,
            "year": 2026,
            "vote_opens": "2031-03-01T09:00:00+08:00",
            "vote_closes": "2031-03-08T18:00:00+08:00",
        },
    ),
    Row(
        "selections api: a selection",
        "GET",
        S + "/{sel_nominating}",
        api=True,
        needs=VIEW,
        seen=403,
        places=COMMUNITIES,
    ),
    Row(
        "selections api: cancel a selection",
        "POST",
        S + "/{sel_nominating}/act",
        api=True,
        needs=MANAGE,
        seen=403,
        places=COMMUNITIES,
        body={"action": "cancel", "reason": MARK},
    ),
    Row(
        "selections api: results",
        "GET",
        S + "/{sel_voting}/results",
        api=True,
        needs=VIEW,
        seen=403,
        places=COMMUNITIES,
    ),
    Row(
        "selections api: nominate by address",
        "POST",
        S + "/{sel_nominating}/nominations",
        api=True,
        needs=NOMINATE,
        ok=201,
        seen=403,
        places=COMMUNITIES,
        body=ADDRESS,
    ),
    Row(
        "selections api: a nomination",
        "GET",
        S + "/nominations/{nomination_review}",
        api=True,
        needs=VIEW,
        seen=403,
        places=COMMUNITIES,
    ),
    Row(
        "selections api: approve",
        "POST",
        S + "/nominations/{nomination_review}/act",
        api=True,
        needs=MANAGE,
        seen=403,
        places=COMMUNITIES,
        body={"action": "approve"},
    ),
    Row(
        "selections api: comment",
        "POST",
        S + "/nominations/{nomination_review}/comments",
        api=True,
        needs=MANAGE,
        ok=201,
        seen=403,
        places=COMMUNITIES,
        body={"eligible": True, "comment": MARK},
    ),
    Row(
        "selections api: merge (into itself: refused)",
        "POST",
        S + "/nominations/{nomination_review}/merge",
        api=True,
        needs=MANAGE,
        ok=400,
        seen=403,
        places=COMMUNITIES,
        body={"into_id": "{nomination_review}"},
    ),
    Row(
        "selections api: forward (no selection above: refused)",
        "POST",
        S + "/nominations/{nomination_honoured}/forward",
        api=True,
        needs=VIEW,
        ok=400,
        seen=403,
        places=COMMUNITIES,
        body={"selection_id": 0},
    ),
    Row(
        "selections api: link a talk",
        "POST",
        S + "/nominations/{nomination_honoured}/talks",
        api=True,
        needs=MANAGE,
        ok=201,
        seen=403,
        places=COMMUNITIES,
        body={"activity_id": "{activity}"},
    ),
    Row(
        "selections api: committee ballot",
        "POST",
        S + "/{sel_voting}/committee-ballot",
        api=True,
        needs=VIEW,
        ok=201,
        seen=403,
        places=COMMUNITIES,
        body={"choices": "{voting_choices}"},
    ),
    Row(
        "selections api: fraud signals",
        "GET",
        S + "/{sel_voting}/flags",
        api=True,
        needs=MANAGE,
        seen=403,
        places=COMMUNITIES,
    ),
    Row(
        "selections api: decide a signal",
        "POST",
        S + "/flags/{flag}/decide",
        api=True,
        needs=MANAGE,
        seen=403,
        places=COMMUNITIES,
        body={"action": "keep", "reason": MARK},
    ),
    Row(
        "selections api: answer an objection",
        "POST",
        S + "/objections/{objection}/answer",
        api=True,
        needs=MANAGE,
        seen=403,
        places=COMMUNITIES,
        body={"action": "dismiss", "answer": MARK},
    ),
    Row("selections api: mine", "GET", S + "/me", api=True, needs="login"),
    Row(
        "selections api: nominate as a resident",
        "POST",
        S + "/me/{sel_nominating}/nominations",
        api=True,
        needs=MINE,
        ok=201,
        seen=403,
        places="community",
        body=ADDRESS,
    ),
    Row(
        "selections api: answer as the nominee",
        "POST",
        S + "/me/nominations/{asked_me}/answer",
        api=True,
        needs=MINE,
        seen=403,
        places="community",
        body={"action": "consent"},
    ),
    Row(
        "selections api: my ballot (none yet)",
        "GET",
        S + "/me/{sel_voting}/ballot",
        api=True,
        needs=MINE,
        ok=400,
        seen=403,
        places="community",
    ),
    Row(
        "selections api: cast my ballot",
        "POST",
        S + "/me/{sel_voting}/ballot",
        api=True,
        needs=MINE,
        ok=201,
        seen=403,
        places="community",
        body={"choices": "{voting_choices}"},
    ),
]
