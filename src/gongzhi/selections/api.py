"""The selections API: setting up and running selections, nominations and
review, the public vote and the committee's secret ballot, fraud signals,
objections during publicity (公示), and the honour roll.

Staff endpoints look a selection up where the caller sees its area (404
elsewhere, 403 where her role may not act). A resident's endpoints
(``/me/…``) reach the selections of her community, street and district:
the same selection answers 403 to staff who see it without living there,
and 404 to everyone else.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router, Status

from gongzhi.accounts.refusals import (
    ERRORS,
    NOT_ALLOWED,
    ErrorOut,
    area_seen,
    referenced,
    seen,
)
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area
from gongzhi.core.errors import NotAllowed, ValidationFailed
from gongzhi.residents.selectors.people import person_referenced
from gongzhi.volunteering.models import Activity

from . import selectors
from .flows import FLAG_FLOW, NOMINATION_FLOW, SELECTION_FLOW
from .models import FraudFlag, Nomination, Objection, Selection, SelectionKind
from .schemas import (
    ActIn,
    AnswerIn,
    BallotIn,
    BallotOut,
    CommentIn,
    CommitteeBallotOut,
    FlagIn,
    FlagOut,
    ForwardIn,
    HonourOut,
    MeOut,
    MergeIn,
    NominatedOut,
    NominateIn,
    NominationDetailOut,
    NominationOut,
    ObjectionIn,
    ObjectionOut,
    ResultsOut,
    SelectionDetailOut,
    SelectionIn,
    SelectionOut,
    TalkIn,
    TalkOut,
)
from .services import honours, nominations, publicity, running, voting

router = Router(tags=["selections"])
# Naming a nominee by address can be refused for too many wrong guesses.
NOMINATE_ERRORS = {**ERRORS, 429: ErrorOut}


def selection_out(s: Selection) -> dict:
    shown = s.status in ("publicity", "closed")
    return {
        "id": s.pk,
        "title": s.title,
        "kind": s.kind.name,
        "kind_code": s.kind.code,
        "nominee_type": s.kind.nominee_type,
        "categories": list(s.kind.categories),
        "area_id": s.area_id,
        "area": s.area.name,
        "level": s.area.get_kind_display(),
        "year": s.year,
        "status": s.status,
        "status_label": s.get_status_display(),
        "vote_opens": s.vote_opens,
        "vote_closes": s.vote_closes,
        "per_category": s.per_category,
        "per_ballot": s.per_ballot,
        "ballot_changeable": s.ballot_changeable,
        "results_hidden": s.results_hidden,
        "public_weight": s.public_weight,
        "committee_weight": s.committee_weight,
        "seats": s.seats,
        "publicity_days": s.publicity_days,
        "publicity_ends": s.publicity_ends,
        "points": s.points,
        "draw_commitment": s.draw_commitment,
        "draw_value": s.draw_secret if shown else "",
    }


def nomination_out(n: Nomination, *, tallies: bool = False) -> dict:
    out = {
        "id": n.pk,
        "selection_id": n.selection_id,
        "label": n.label,
        "category": n.category,
        "nominee_type": n.selection.kind.nominee_type,
        "place": n.home.name,
        "story": n.story,
        "source": n.source,
        "source_label": n.get_source_display(),
        "status": n.status,
        "status_label": n.get_status_display(),
        "photos": n.photos.count(),
        "forwarded_from_id": n.forwarded_from_id,
        "merged_into_id": n.merged_into_id,
    }
    if tallies and selectors.results_shown(n.selection):
        out.update(
            score=n.score,
            public_votes=n.public_votes,
            committee_votes=n.committee_votes,
            rank=n.rank,
            drawn=n.drawn,
        )
    return out


def _selection(request, pk: int, perm: str = Perm.SELECTION_VIEW) -> Selection:
    return selectors.selection_seen(request, pk, perm)


def _nomination(request, pk: int, perm: str = Perm.SELECTION_VIEW) -> Nomination:
    return selectors.nomination_seen(request, pk, perm)


def _near(request, pk: int) -> Selection:
    """A selection of the caller's own community, street or district, as a
    resident of the registry; 403 to whoever sees it otherwise, else 404."""
    person = getattr(request.user, "person", None)
    found = (
        selectors.selections_for_home(person.household).filter(pk=pk).first()
        if person is not None and person.household_id
        else None
    )
    if found is not None:
        return found
    seen(Selection.objects.all(), request, pk, via="area", perm="resident.only")
    raise NotAllowed  # pragma: no cover - seen() refuses first


# --- staff ------------------------------------------------------------------


@router.get(
    "/areas/{int:area_id}/selections",
    response={200: list[SelectionOut], **NOT_ALLOWED},
    summary="Selections at or below an area",
)
def selection_list(request, area_id: int):
    area = area_seen(request, area_id, Perm.SELECTION_VIEW)
    rows = selectors.selections_in_scope(user=request.user).filter(
        area__path__within=area.path
    )
    return [selection_out(s) for s in rows[:200]]


@router.post(
    "/areas/{int:area_id}/selections",
    response={201: SelectionOut, **ERRORS},
    summary="Set up a selection at a community, street or district",
)
def selection_create(request, area_id: int, payload: SelectionIn):
    area = area_seen(request, area_id, Perm.SELECTION_MANAGE)
    kind = SelectionKind.objects.filter(pk=payload.kind_id).first()
    if kind is None:
        raise ValidationFailed(_("Not found."), field="kind_id")
    members = list(
        selectors.committee_candidates(area).filter(pk__in=payload.committee_ids)
    )
    if len(members) != len(set(payload.committee_ids)):
        raise ValidationFailed(_("Not found."), field="committee_ids")
    data = payload.dict(exclude={"kind_id", "committee_ids"})
    try:
        made = running.selection_create(
            kind=kind, area=area, by=request.user, committee=members, **data
        )
    except ValidationFailed as exc:
        if exc.field == "kind":
            exc.field = "kind_id"
        raise
    return Status(201, selection_out(made))


@router.get(
    "/{int:selection_id}",
    response={200: SelectionDetailOut, **NOT_ALLOWED},
    summary="A selection, its nominations and its history",
)
def selection_detail(request, selection_id: int):
    s = _selection(request, selection_id)
    return {
        **selection_out(s),
        "nominations": [
            nomination_out(n, tallies=True) for n in selectors.nominations_of(s)
        ],
        "steps": SELECTION_FLOW.timeline(s),
    }


@router.post(
    "/{int:selection_id}/act",
    response={200: SelectionOut, **ERRORS},
    summary="Open the vote, close and count it, honour, or cancel",
)
def selection_act(request, selection_id: int, payload: ActIn):
    s = _selection(request, selection_id)
    by = request.user
    if payload.action == "open_vote":
        done = running.vote_open(selection=s, by=by)
    elif payload.action == "close_vote":
        done = running.vote_close(selection=s, by=by)
    elif payload.action == "honour":
        done = running.honour(selection=s, by=by)
    elif payload.action == "cancel":
        done = running.selection_cancel(selection=s, by=by, reason=payload.reason)
    else:
        raise ValidationFailed(_("Choose one of the options."), field="action")
    return selection_out(done)


@router.get(
    "/{int:selection_id}/results",
    response={200: ResultsOut, **NOT_ALLOWED},
    summary="Turnout, and the tallies once they may be shown",
)
def selection_results(request, selection_id: int):
    s = _selection(request, selection_id)
    return _results(s)


def _results(s: Selection) -> dict:
    shown = selectors.results_shown(s)
    figures = selectors.turnout(s)
    counted = s.status in ("publicity", "closed")
    live = selectors.live_tally(s) if shown and not counted else {}
    rows = []
    if shown:
        for n in selectors.nominations_of(s):
            if counted and n.rank is None:
                continue
            if not counted and n.status != "voting":
                continue
            rows.append(
                {
                    "nomination_id": n.pk,
                    "label": n.label,
                    "category": n.category,
                    "public_votes": n.public_votes if counted else live.get(n.pk, 0),
                    "committee_votes": n.committee_votes if counted else None,
                    "score": n.score if counted else None,
                    "rank": n.rank,
                    "drawn": n.drawn,
                    "status": n.status,
                }
            )
    return {
        "selection_id": s.pk,
        "shown": shown,
        "ballots": figures["ballots"],
        "voided": figures["voided"],
        "committee_ballots": figures["committee"],
        "draw_commitment": s.draw_commitment,
        "draw_value": s.draw_secret if counted else "",
        "results": rows,
    }


def _nominee(request, payload: NominateIn, s: Selection, *, by_id: bool) -> dict:
    if by_id and payload.person_id is not None:
        return {
            "person": person_referenced(request, payload.person_id, field="person_id")
        }
    if by_id and (payload.household_id or payload.building_id):
        pk = payload.household_id or payload.building_id
        field = "household_id" if payload.household_id else "building_id"
        area = referenced(request, Area.objects.all(), pk, via="", field=field)
        return {"household" if payload.household_id else "building": area}
    place = (
        Area.objects.filter(pk=payload.place_id).first() if payload.place_id else None
    )
    return nominations.nominee_find(
        selection=s,
        place=place,
        room=payload.room,
        name=payload.name,
        by=request.user,
    )


def _nominate(request, s: Selection, payload: NominateIn, *, by_id: bool):
    nominee = _nominee(request, payload, s, by_id=by_id)
    made = nominations.nomination_create(
        selection=s,
        by=request.user,
        story=payload.story,
        category=payload.category,
        **nominee,
    )
    return Status(
        201,
        {**nomination_out(made), "merged_on_create": made.merged_on_create},
    )


@router.post(
    "/{int:selection_id}/nominations",
    response={201: NominatedOut, **NOMINATE_ERRORS},
    summary="Nominate (staff and organizations): by id or by address",
)
def nomination_create(request, selection_id: int, payload: NominateIn):
    s = _selection(request, selection_id, Perm.SELECTION_NOMINATE)
    return _nominate(request, s, payload, by_id=True)


@router.get(
    "/nominations/{int:nomination_id}",
    response={200: NominationDetailOut, **NOT_ALLOWED},
    summary="A nomination: story, review comments, history, talks",
)
def nomination_detail(request, nomination_id: int):
    n = _nomination(request, nomination_id)
    figures = selectors.talk_figures([n])["each"].get(n.pk, {"held": 0, "reached": 0})
    return {
        **nomination_out(n, tallies=True),
        "comments": [
            {"by": c.by.name, "eligible": c.eligible, "comment": c.comment, "at": c.at}
            for c in n.comments.select_related("by")
        ],
        "steps": NOMINATION_FLOW.timeline(n),
        "talks_held": figures["held"],
        "residents_reached": figures["reached"],
    }


@router.post(
    "/nominations/{int:nomination_id}/act",
    response={200: NominationOut, **ERRORS},
    summary="Review: approve, reject, withdraw; the nominee's consent or decline",
)
def nomination_act(request, nomination_id: int, payload: ActIn):
    n = _nomination(request, nomination_id)
    done = nominations.nomination_act(
        nomination=n, action=payload.action, by=request.user, reason=payload.reason
    )
    return nomination_out(done)


@router.post(
    "/nominations/{int:nomination_id}/comments",
    response={201: NominationOut, **ERRORS},
    summary="A committee member's eligibility check and comment",
)
def nomination_comment(request, nomination_id: int, payload: CommentIn):
    n = _nomination(request, nomination_id)
    nominations.comment_add(
        nomination=n,
        by=request.user,
        eligible=payload.eligible,
        comment=payload.comment,
    )
    return Status(201, nomination_out(n))


@router.post(
    "/nominations/{int:nomination_id}/merge",
    response={200: NominationOut, **ERRORS},
    summary="Merge a duplicate into another nomination of the same nominee",
)
def nomination_merge(request, nomination_id: int, payload: MergeIn):
    n = _nomination(request, nomination_id, Perm.SELECTION_MANAGE)
    into = referenced(
        request,
        Nomination.objects.exclude(status="declined"),
        payload.into_id,
        via="selection__area",
        field="into_id",
    )
    return nomination_out(
        nominations.nomination_merge(nomination=n, into=into, by=request.user)
    )


@router.post(
    "/nominations/{int:nomination_id}/forward",
    response={201: NominationOut, **ERRORS},
    summary="Put an honoured nominee forward to a selection at a level above",
)
def nomination_forward(request, nomination_id: int, payload: ForwardIn):
    n = _nomination(request, nomination_id)
    to = selectors.forward_targets(n).filter(pk=payload.selection_id).first()
    if to is None:
        raise ValidationFailed(_("Not found."), field="selection_id")
    made = honours.nomination_forward(
        nomination=n, to=to, by=request.user, category=payload.category
    )
    return Status(201, nomination_out(made))


@router.post(
    "/nominations/{int:nomination_id}/talks",
    response={201: TalkOut, **ERRORS},
    summary="Link an honouree to an activity as its speaker",
)
def nomination_talk(request, nomination_id: int, payload: TalkIn):
    n = _nomination(request, nomination_id, Perm.SELECTION_MANAGE)
    activity = referenced(
        request,
        Activity.objects.all(),
        payload.activity_id,
        via="community",
        field="activity_id",
    )
    honours.talk_link(nomination=n, activity=activity, by=request.user)
    figures = selectors.talk_figures([n])["each"].get(n.pk, {"held": 0, "reached": 0})
    return Status(
        201,
        {
            "nomination_id": n.pk,
            "activity_id": activity.pk,
            "talks_held": figures["held"],
            "residents_reached": figures["reached"],
        },
    )


@router.post(
    "/{int:selection_id}/committee-ballot",
    response={201: CommitteeBallotOut, **ERRORS},
    summary="A committee member's secret ballot",
)
def committee_ballot(request, selection_id: int, payload: BallotIn):
    s = _selection(request, selection_id)
    made = voting.committee_ballot_cast(
        selection=s, by=request.user, choices=payload.choices
    )
    return Status(201, {"selection_id": s.pk, "cast_at": made.cast_at})


def flag_out(flag: FraudFlag) -> dict:
    return {
        "id": flag.pk,
        "selection_id": flag.selection_id,
        "kind": flag.kind,
        "kind_label": flag.get_kind_display(),
        "key": flag.key,
        "ballots": flag.ballots.count(),
        "first_at": flag.first_at,
        "last_at": flag.last_at,
        "status": flag.status,
        "status_label": flag.get_status_display(),
        "steps": FLAG_FLOW.timeline(flag),
    }


@router.get(
    "/{int:selection_id}/flags",
    response={200: list[FlagOut], **NOT_ALLOWED},
    summary="Fraud signals of a selection's vote, with their evidence",
)
def flag_list(request, selection_id: int):
    s = _selection(request, selection_id, Perm.SELECTION_MANAGE)
    return [flag_out(f) for f in selectors.flags_of(s)]


@router.post(
    "/flags/{int:flag_id}/decide",
    response={200: FlagOut, **ERRORS},
    summary="Decide a fraud signal: keep or void its ballots, with a reason",
)
def flag_decide(request, flag_id: int, payload: FlagIn):
    flag = seen(
        FraudFlag.objects.select_related("selection__area"),
        request,
        flag_id,
        via="selection__area",
        perm=Perm.SELECTION_VIEW,
    )
    done = voting.flag_decide(
        flag=flag, action=payload.action, reason=payload.reason, by=request.user
    )
    return flag_out(done)


def objection_out(o: Objection) -> dict:
    return {
        "id": o.pk,
        "nomination_id": o.nomination_id,
        "status": o.status,
        "status_label": o.get_status_display(),
        "reason": o.reason,
        "answer": o.answer,
    }


@router.post(
    "/objections/{int:objection_id}/answer",
    response={200: ObjectionOut, **ERRORS},
    summary="Answer an objection: sustain (the nominee is withdrawn) or dismiss",
)
def objection_answer(request, objection_id: int, payload: AnswerIn):
    objection = seen(
        Objection.objects.select_related("nomination__selection__area"),
        request,
        objection_id,
        via="nomination__selection__area",
        perm=Perm.SELECTION_VIEW,
    )
    done = publicity.objection_answer(
        objection=objection,
        action=payload.action,
        answer=payload.answer,
        by=request.user,
    )
    return objection_out(done)


# --- a resident ---------------------------------------------------------------


@router.get(
    "/me",
    response={200: MeOut, **NOT_ALLOWED},
    summary="My community's selections, nominations asking me, what I nominated",
)
def me(request):
    person = getattr(request.user, "person", None)
    home = person.household if person is not None else None
    return {
        "selections": [selection_out(s) for s in selectors.selections_for_home(home)],
        "asked": [nomination_out(n) for n in selectors.asked_of(person)],
        "nominated": [nomination_out(n) for n in selectors.mine(user=request.user)],
    }


@router.post(
    "/me/{int:selection_id}/nominations",
    response={201: NominatedOut, **NOMINATE_ERRORS},
    summary="Nominate myself or a neighbour, named by address",
)
def my_nomination(request, selection_id: int, payload: NominateIn):
    s = _near(request, selection_id)
    return _nominate(request, s, payload, by_id=False)


@router.post(
    "/me/nominations/{int:nomination_id}/answer",
    response={200: NominationOut, **ERRORS},
    summary="As the nominee: consent, or decline (it then shows nowhere)",
)
def my_answer(request, nomination_id: int, payload: ActIn):
    person = getattr(request.user, "person", None)
    n = (
        Nomination.objects.filter(pk=nomination_id, person=person, status="asked")
        .select_related("selection", "selection__kind", "home")
        .first()
        if person is not None
        else None
    )
    if n is None:
        seen(
            Nomination.objects.all(),
            request,
            nomination_id,
            via="selection__area",
            perm="resident.only",
        )
    if payload.action not in ("consent", "decline"):
        raise ValidationFailed(_("Choose one of the options."), field="action")
    return nomination_out(
        nominations.nomination_act(nomination=n, action=payload.action, by=request.user)
    )


def _ballot_out(ballot) -> dict:
    return {
        "id": ballot.pk,
        "selection_id": ballot.selection_id,
        "choices": sorted(c.nomination_id for c in ballot.choices.all()),
        "cast_at": ballot.cast_at,
        "changed_at": ballot.changed_at,
    }


@router.get(
    "/me/{int:selection_id}/ballot",
    response={200: BallotOut, **ERRORS},
    summary="My ballot in a selection's vote",
)
def my_ballot(request, selection_id: int):
    s = _near(request, selection_id)
    ballot = selectors.ballot_of(selection=s, person=request.user.person)
    if ballot is None:
        raise ValidationFailed(_("You have not voted yet."), field="selection")
    return _ballot_out(ballot)


@router.post(
    "/me/{int:selection_id}/ballot",
    response={201: BallotOut, 200: BallotOut, **ERRORS},
    summary="Cast (or change, where allowed) my ballot",
)
def my_ballot_cast(request, selection_id: int, payload: BallotIn):
    s = _near(request, selection_id)
    ballot = voting.ballot_cast(
        selection=s,
        by=request.user,
        choices=payload.choices,
        network=request.META.get("REMOTE_ADDR"),
    )
    return Status(200 if ballot.changed else 201, _ballot_out(ballot))


@router.post(
    "/nominations/{int:nomination_id}/objections",
    response={201: ObjectionOut, **ERRORS},
    summary="Object to a nominee in publicity (公示), with a reason",
)
def objection_raise(request, nomination_id: int, payload: ObjectionIn):
    n = selectors.public_nomination(nomination_id)
    made = publicity.objection_raise(
        nomination=n, by=request.user, reason=payload.reason
    )
    return Status(201, objection_out(made))


@router.get(
    "/roll/{int:area_id}",
    response={200: list[HonourOut], **NOT_ALLOWED},
    summary="The honour roll of a community or street (what is public)",
)
def roll(request, area_id: int):
    area = selectors.public_area(area_id)
    return [honour_out(n) for n in selectors.roll(area)]


def honour_out(n: Nomination) -> dict:
    return {
        "id": n.pk,
        "label": n.label,
        "kind": n.selection.kind.name,
        "category": n.category,
        "level": n.selection.area.get_kind_display(),
        "area": n.selection.area.name,
        "year": n.selection.year,
        "story": n.story,
        "photos": [f"/honours/photos/{p.pk}/" for p in n.photos.all()],
    }
