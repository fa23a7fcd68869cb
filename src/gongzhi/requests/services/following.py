"""Following (关注): a resident with the same problem follows the request
already raised instead of raising it again.

She follows requests of her own home community, never her own (she
follows that already) and never one that was not accepted or has ended.
Following twice answers the first follow; stopping what she does not
follow changes nothing. A follow is no step of the request: it writes no
``Transition`` and leaves the request's version alone, so a dispatcher's
page never goes stale because a neighbour followed.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed
from gongzhi.residents.homes import last_known_community

from ..models import Follow, ServiceRequest
from ..states import Status

if TYPE_CHECKING:
    from gongzhi.accounts.models import User
    from gongzhi.residents.models import Person


def _follower(by: User | None) -> Person:
    person = getattr(by, "person", None)
    if person is None:
        raise NotAllowed(_("Only a resident linked to a household follows requests."))
    return person


def follows_add(
    service_request: ServiceRequest, person_ids, *, now: dt.datetime
) -> None:
    """Make these residents follow the request, those who do not yet (no
    checks: for a merge, whose caller decided who follows)."""
    Follow.objects.bulk_create(
        [
            Follow(request=service_request, person_id=pk, created_at=now)
            for pk in sorted(set(person_ids))
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def request_follow(
    *,
    service_request: ServiceRequest,
    by: User,
    now: dt.datetime | None = None,
) -> Follow:
    """关注: the resident ``by`` follows ``service_request``. Following it
    again answers the first follow (``replayed`` set).

    Refuses, writing nothing: a login linked to no resident, or one whose
    home is in another community (``NotAllowed``); her own request
    (``ValidationFailed``); a request rejected, merged or closed
    (``TransitionNotAllowed``)."""
    now = now or timezone.now()
    person = _follower(by)
    # The row lock orders a follow after a merge or a rejection under way:
    # she then reads the request as it ends up.
    item = (
        ServiceRequest.objects.select_for_update()
        .only("status", "community_id", "reporter_id")
        .get(pk=service_request.pk)
    )
    existing = Follow.objects.filter(request=item, person=person).first()
    if existing is not None:
        existing.replayed = True
        return existing
    community = last_known_community(person)
    if community is None or community.pk != item.community_id:
        raise NotAllowed(_("You may follow only the requests of your own community."))
    if item.reporter_id == person.pk:
        raise ValidationFailed(
            _("This is your own request: you follow it already."), field="request"
        )
    refused = {
        Status.REJECTED: _("A request that was not accepted cannot be followed."),
        Status.MERGED: _("This request was merged into another: follow that one."),
        Status.CLOSED: _("This request is closed: there is nothing left to follow."),
    }
    if item.status in refused:
        raise TransitionNotAllowed(refused[item.status], field="status")
    # get_or_create: of two taps at one moment the second finds the first.
    follow, made = Follow.objects.get_or_create(
        request=item, person=person, defaults={"created_at": now}
    )
    follow.replayed = not made
    return follow


@transaction.atomic
def request_unfollow(*, service_request: ServiceRequest, by: User) -> bool:
    """Stop following: answers whether she followed it. Stopping what she
    does not follow changes nothing (a second tap, a retried call)."""
    person = _follower(by)
    deleted, _rows = Follow.objects.filter(
        request=service_request, person=person
    ).delete()
    return bool(deleted)
