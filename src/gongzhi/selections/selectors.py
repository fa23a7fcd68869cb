"""Reads of selections for display, already scoped.

A declined nomination shows nowhere: every list here leaves it out, and
its page answers 404 to everyone. Public reads (the roll, 公示) show only
what is publicised: those in publicity while it runs, and the honoured.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from gongzhi.accounts.models import Grant, User
from gongzhi.accounts.refusals import seen
from gongzhi.accounts.roles import Perm, roles_with
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import scoped
from gongzhi.areas.selectors import place_labels
from gongzhi.areas.tree import ancestor_paths, subtree, touching_q
from gongzhi.volunteering.models import Activity
from gongzhi.volunteering.selectors import activities_reach

from .models import (
    Ballot,
    CommitteeBallot,
    FlagStatus,
    FraudFlag,
    Nomination,
    NominationStatus,
    NomineeType,
    Objection,
    ObjectionStatus,
    Selection,
    SelectionStatus,
    Talk,
)

N = NominationStatus
HIDDEN = (N.DECLINED,)
TO_REVIEW = (N.ASKED, N.REVIEW)


def _nominations() -> QuerySet[Nomination]:
    return Nomination.objects.exclude(status__in=HIDDEN).select_related(
        "selection", "selection__area", "selection__kind", "home"
    )


def selections_in_scope(*, user: User, perm: str = Perm.SELECTION_VIEW):
    return scoped(
        Selection.objects.select_related("area", "kind"), user=user, perm=perm
    )


def selection_get(*, user: User, pk: int, perm: str = Perm.SELECTION_VIEW):
    return get_object_or_404(selections_in_scope(user=user, perm=perm), pk=pk)


def selection_seen(request, pk: int, perm: str) -> Selection:
    return seen(
        Selection.objects.select_related("area", "kind"),
        request,
        pk,
        via="area",
        perm=perm,
    )


def nominations_in_scope(*, user: User, perm: str = Perm.SELECTION_VIEW):
    return scoped(_nominations(), user=user, via="selection__area", perm=perm)


def nomination_get(*, user: User, pk: int, perm: str = Perm.SELECTION_VIEW):
    return get_object_or_404(nominations_in_scope(user=user, perm=perm), pk=pk)


def nomination_seen(request, pk: int, perm: str) -> Nomination:
    return seen(_nominations(), request, pk, via="selection__area", perm=perm)


def nominations_of(selection: Selection) -> list[Nomination]:
    return list(
        _nominations()
        .filter(selection=selection)
        .annotate(
            n_comments=Count("comments", distinct=True),
            n_objections=Count(
                "objections",
                filter=Q(objections__status=ObjectionStatus.OPEN),
                distinct=True,
            ),
        )
        .order_by("category", "rank", "pk")
    )


def selections_for_home(household: Area | None) -> QuerySet[Selection]:
    """Selections a resident of ``household`` takes part in: those at her
    community, her street and her district."""
    if household is None:
        return Selection.objects.none()
    return (
        Selection.objects.filter(
            area__path__in=ancestor_paths(household.path, include_self=True)
        )
        .exclude(status=SelectionStatus.CANCELLED)
        .select_related("area", "kind")
    )


def resident_selection_get(*, person, pk: int) -> Selection:
    home = person.household if person is not None else None
    return get_object_or_404(selections_for_home(home), pk=pk)


def on_ballot(selection: Selection) -> list[Nomination]:
    return list(
        _nominations()
        .filter(selection=selection, status=N.VOTING)
        .order_by("category", "pk")
    )


def ballot_of(*, selection: Selection, person) -> Ballot | None:
    if person is None:
        return None
    return (
        Ballot.objects.filter(selection=selection, person=person)
        .prefetch_related("choices")
        .first()
    )


def turnout(selection: Selection) -> dict:
    ballots = Ballot.objects.filter(selection=selection)
    return {
        "ballots": ballots.filter(voided_at__isnull=True).count(),
        "voided": ballots.filter(voided_at__isnull=False).count(),
        "committee": CommitteeBallot.objects.filter(selection=selection).count(),
        "members": selection.committee.count(),
    }


def results_shown(selection: Selection) -> bool:
    """Whether tallies may be shown: after the count, or during the vote
    where the selection does not hide them."""
    if selection.status in (SelectionStatus.PUBLICITY, SelectionStatus.CLOSED):
        return True
    return selection.status == SelectionStatus.VOTING and not selection.results_hidden


def live_tally(selection: Selection) -> dict[int, int]:
    """Public votes so far, by nomination (only where results are shown)."""
    from .models import BallotChoice

    rows = (
        BallotChoice.objects.filter(
            ballot__selection=selection, ballot__voided_at__isnull=True
        )
        .values("nomination_id")
        .annotate(n=Count("pk"))
    )
    return {row["nomination_id"]: row["n"] for row in rows}


def in_publicity(selection: Selection) -> list[Nomination]:
    """What the 公示 page shows: the winners while publicity runs."""
    if selection.status != SelectionStatus.PUBLICITY:
        return []
    return list(
        _nominations()
        .filter(selection=selection, status=N.PUBLICITY)
        .prefetch_related("photos")
        .order_by("category", "rank", "pk")
    )


def publicity_selections(area: Area) -> QuerySet[Selection]:
    """Selections in publicity at ``area`` or anywhere it touches."""
    return Selection.objects.filter(
        touching_q([area.path], field="area__path"),
        status=SelectionStatus.PUBLICITY,
    ).select_related("area", "kind")


def roll(area: Area, *, kind_code: str = "", year: int | None = None) -> list:
    """The honour roll of a community or a street: the honoured living
    within it, at whatever level they were honoured, newest year first.
    Withdrawn and declined nominees are not on it."""
    rows = subtree(
        Nomination.objects.filter(status=N.HONOURED), area, via="home"
    ).select_related("selection", "selection__area", "selection__kind", "home")
    if kind_code:
        rows = rows.filter(selection__kind__code=kind_code)
    if year:
        rows = rows.filter(selection__year=year)
    return list(
        rows.prefetch_related("photos").order_by(
            "-selection__year", "selection__kind_id", "category", "rank", "pk"
        )
    )


def roll_areas(area: Area) -> list[Area]:
    """The community and street pages a roll links to: the street above
    and the communities below."""
    if area.kind == Kind.COMMUNITY:
        return list(
            Area.objects.filter(path__in=ancestor_paths(area.path), kind=Kind.STREET)
        )
    return list(
        Area.objects.filter(path__within=area.path, kind=Kind.COMMUNITY).order_by(
            "path"
        )
    )


def public_area(pk: int) -> Area:
    """A community or street whose roll is public, else 404."""
    return get_object_or_404(
        Area.objects.filter(kind__in=(Kind.COMMUNITY, Kind.STREET)), pk=pk
    )


def public_photo(pk: int):
    """A photo of a nominee that is publicised (in publicity or honoured),
    else 404."""
    from .models import NominationPhoto

    return get_object_or_404(
        NominationPhoto.objects.filter(
            Q(nomination__status=N.HONOURED)
            | Q(
                nomination__status=N.PUBLICITY,
                nomination__selection__status=SelectionStatus.PUBLICITY,
            )
        ),
        pk=pk,
    )


def public_nomination(pk: int) -> Nomination:
    """A nominee one may object to or read on the 公示 page."""
    return get_object_or_404(
        _nominations().filter(
            status=N.PUBLICITY, selection__status=SelectionStatus.PUBLICITY
        ),
        pk=pk,
    )


def honoured_get(pk: int) -> Nomination:
    return get_object_or_404(_nominations().filter(status=N.HONOURED), pk=pk)


def talk_figures(nominations) -> dict:
    """Talks held and residents reached, per honouree and in all, read
    through volunteering's counts."""
    nominations = list(nominations)
    talks = Talk.objects.filter(nomination__in=nominations).values_list(
        "nomination_id", "activity_id"
    )
    by_nomination: dict[int, list[int]] = {}
    for nomination_id, activity_id in talks:
        by_nomination.setdefault(nomination_id, []).append(activity_id)
    each = {pk: activities_reach(ids) for pk, ids in by_nomination.items()}
    every = [a for ids in by_nomination.values() for a in ids]
    return {
        "each": each,
        "all": activities_reach(every) if every else {"held": 0, "reached": 0},
    }


def talks_of(nomination: Nomination) -> list[Activity]:
    return [
        talk.activity
        for talk in Talk.objects.filter(nomination=nomination)
        .select_related("activity", "activity__community")
        .order_by("pk")
    ]


def talk_activities(*, user: User) -> QuerySet[Activity]:
    """Activities the user may link an honouree to as a speaker."""
    return scoped(
        Activity.objects.filter(cancelled_at__isnull=True).select_related("community"),
        user=user,
        via="community",
        perm=Perm.ACTIVITY_VIEW,
    ).order_by("-created_at")


def forward_targets(nomination: Nomination) -> QuerySet[Selection]:
    """Selections at a level above taking nominations of the same kind of
    nominee: where an honoured nominee may go forward."""
    selection = nomination.selection
    return Selection.objects.filter(
        area__path__in=ancestor_paths(selection.area.path),
        status=SelectionStatus.NOMINATING,
        kind__nominee_type=selection.kind.nominee_type,
    ).select_related("area", "kind")


def duplicates_of(nomination: Nomination) -> list[Nomination]:
    """Other running nominations of the same nominee in the selection."""
    from .flows import RUNNING

    return list(
        Nomination.objects.filter(
            selection=nomination.selection,
            person_id=nomination.person_id,
            household_id=nomination.household_id,
            building_id=nomination.building_id,
            status__in=RUNNING,
        ).exclude(pk=nomination.pk)
    )


def nominee_places(selection: Selection) -> list[tuple[int, str]]:
    """Where a nominee may be named: the buildings (最美楼栋), else the
    entrances and the buildings households hang under, with their place
    labels."""
    kinds = (
        (Kind.BUILDING,)
        if selection.kind.nominee_type == NomineeType.BUILDING
        else (Kind.ENTRANCE, Kind.BUILDING)
    )
    nodes = list(
        Area.objects.filter(
            path__within=selection.area.path, kind__in=kinds, retired_at__isnull=True
        ).order_by("path")
    )
    if selection.kind.nominee_type != NomineeType.BUILDING:
        with_entrances = {
            n.path[: -Area.steplen] for n in nodes if n.kind == Kind.ENTRANCE
        }
        nodes = [
            n for n in nodes if n.kind == Kind.ENTRANCE or n.path not in with_entrances
        ]
    labels = place_labels(nodes)
    return [(node.pk, labels[node.pk]) for node in nodes]


def committee_candidates(area: Area) -> QuerySet[User]:
    """Who may sit on a committee at ``area``: people holding a role that
    reads selections on it, above it or below it."""
    grants = Grant.objects.filter(
        touching_q([area.path], field="area__path"),
        revoked_at__isnull=True,
        role__in=roles_with(Perm.SELECTION_VIEW),
    )
    return User.objects.filter(pk__in=grants.values("user_id")).order_by("name")


def flags_of(selection: Selection) -> list[FraudFlag]:
    """The selection's fraud signals, each with ``where``: the building's
    place ("裕华园 2号楼") or the network address."""
    flags = list(
        FraudFlag.objects.filter(selection=selection)
        .prefetch_related("ballots", "ballots__building")
        .order_by("-raised_at")
    )
    ids = [int(f.key) for f in flags if f.kind == "building" and f.key.isdigit()]
    buildings = {a.pk: a for a in Area.objects.filter(pk__in=ids)}
    labels = place_labels(buildings.values())
    for flag in flags:
        flag.where = (
            labels.get(int(flag.key), flag.key)
            if flag.kind == "building" and flag.key.isdigit()
            else flag.key
        )
    return flags


def objections_of(selection: Selection) -> list[Objection]:
    return list(
        Objection.objects.filter(nomination__selection=selection)
        .select_related("nomination", "by")
        .order_by("status", "created_at")
    )


def review_waiting(*, user: User, area: Area) -> int:
    """Nominations in selections ``user`` runs within ``area`` waiting for
    the nominee's answer or the review: a 待办 count."""
    return (
        scoped(
            Nomination.objects.all(),
            user=user,
            via="selection__area",
            perm=Perm.SELECTION_MANAGE,
        )
        .filter(selection__area__path__within=area.path, status__in=TO_REVIEW)
        .count()
    )


def objections_waiting(*, user: User, area: Area) -> int:
    return (
        scoped(
            Objection.objects.all(),
            user=user,
            via="nomination__selection__area",
            perm=Perm.SELECTION_MANAGE,
        )
        .filter(
            nomination__selection__area__path__within=area.path,
            status=ObjectionStatus.OPEN,
        )
        .count()
    )


def flags_waiting(*, user: User, area: Area) -> int:
    return (
        scoped(
            FraudFlag.objects.all(),
            user=user,
            via="selection__area",
            perm=Perm.SELECTION_MANAGE,
        )
        .filter(selection__area__path__within=area.path, status=FlagStatus.OPEN)
        .count()
    )


def asked_of(person) -> list[Nomination]:
    """Nominations waiting for ``person``'s consent."""
    if person is None:
        return []
    return list(
        Nomination.objects.filter(person=person, status=N.ASKED).select_related(
            "selection"
        )
    )


def mine(*, user: User) -> list[Nomination]:
    """What the resident nominated, as she follows it."""
    return list(_nominations().filter(nominated_by=user).order_by("-created_at")[:20])
