"""Reaching the reporter: the full phone number of a request's reporter,
shown to whoever must call her, and written to the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.accounts.roles import Perm
from gongzhi.areas.scoping import in_scope
from gongzhi.audit.models import Action
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import NotAllowed, ValidationFailed

from ..models import ServiceRequest
from .rules import handles

if TYPE_CHECKING:
    from gongzhi.accounts.models import User


def reporter_phone(service_request: ServiceRequest) -> str:
    """The full number to call: the reporter's own, else the one given
    when someone raised the request for her; "" when there is none."""
    if service_request.reporter_id is not None:
        return service_request.reporter.phone or ""
    if service_request.contact_phone_encrypted:
        return service_request.contact_phone or ""
    return ""


def may_call_reporter(*, service_request: ServiceRequest, by: User) -> bool:
    """The current assignee (a handler of its queue, a team's leader) must
    reach the reporter; a role that sees full personal data where the
    request is placed may too. Nobody else: not the team it was taken
    from, not the rest of the community's teams."""
    return handles(by, service_request.assignee) or in_scope(
        by, service_request.area, Perm.PERSONAL_FULL
    )


@transaction.atomic
def request_phone_reveal(
    *, service_request: ServiceRequest, by: User, request=None
) -> str:
    """The reporter's full phone number for ``by``. Refuses (NotAllowed)
    anyone ``may_call_reporter`` does not name and (ValidationFailed,
    field ``phone``) a request with no number; each reveal is an audit
    event: who, whose, which request, when, from where."""
    if not may_call_reporter(service_request=service_request, by=by):
        raise NotAllowed(_("Your role does not allow this here."))
    phone = reporter_phone(service_request)
    if not phone:
        raise ValidationFailed(_("No phone number was given."), field="phone")
    audit_record(
        by=by,
        action=Action.PERSONAL_VIEWED,
        target=service_request,
        area=service_request.area,
        request=request,
        detail={"field": "reporter_phone", "request": service_request.number},
    )
    return phone
