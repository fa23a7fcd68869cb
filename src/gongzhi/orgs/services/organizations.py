"""Organizations and co-building agreements: community staff (org.manage)
record them where they work."""

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope
from gongzhi.areas.tree import ancestor_path, is_within
from gongzhi.core import crypto
from gongzhi.core.cleaning import text_clean
from gongzhi.core.errors import NotAllowed, TransitionNotAllowed, ValidationFailed

from ..models import KIND_PLACE, SINGLE_KINDS, Agreement, Organization, OrgKind

NAME_MAX = Organization._meta.get_field("name").max_length
CONTACT_MAX = Organization._meta.get_field("contact_name").max_length
TEXT_MAX = 2000
# An agreement runs at most this long; a longer term is a typing mistake.
TERM_MAX_YEARS = 10

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def contact_phone_clean(raw: str, *, field: str = "contact_phone") -> str:
    """A mobile number or a landline with its area code (022-23456789);
    empty is allowed, an organization may have no phone on record."""
    phone = re.sub(r"[\s()（）]", "", str(raw or ""))
    if phone.startswith("+86"):
        phone = phone[3:]
    if not phone:
        return ""
    if not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
        raise ValidationFailed(
            _("Enter a mobile number or a landline with its area code."),
            field=field,
        )
    return phone


@transaction.atomic
def org_create(
    *,
    area: Area,
    kind: str,
    name: str,
    by: User,
    parent: Organization | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    description: str = "",
) -> Organization:
    """Record an organization where it belongs: a Party committee,
    co-building unit or social organization under a community, a Party
    branch, homeowners' committee or property company under an estate.
    Refuses a second active one of a single kind in one place (one
    committee per community; one branch, homeowners' committee and
    property company per estate) and a parent outside its community."""
    if kind not in OrgKind.values:
        raise ValidationFailed(_("Choose one of the options."), field="kind")
    if area.kind != KIND_PLACE[kind] or area.is_retired:
        place = Kind(KIND_PLACE[kind]).label
        raise ValidationFailed(
            _("A %(kind)s belongs to a %(place)s.")
            % {"kind": OrgKind(kind).label, "place": place},
            field="area",
        )
    if not in_scope(by, area, Perm.ORG_MANAGE):
        raise NotAllowed(_("You may not record organizations here."))
    name = text_clean(name, field="name", limit=NAME_MAX, required=True)
    contact_name = text_clean(contact_name, field="contact_name", limit=CONTACT_MAX)
    phone = contact_phone_clean(contact_phone)
    description = text_clean(description, field="description", limit=TEXT_MAX)
    if parent is not None:
        community_path = ancestor_path(area, Kind.COMMUNITY)
        if not parent.active or not is_within(parent.area.path, community_path):
            raise ValidationFailed(
                _("The parent organization must be an active one of this community."),
                field="parent",
            )
    live = Organization.objects.filter(area=area, active=True)
    if kind in SINGLE_KINDS and live.filter(kind=kind).exists():
        raise ValidationFailed(
            _("%(place)s already has a %(kind)s.")
            % {"place": area.name, "kind": OrgKind(kind).label},
            field="kind",
        )
    if live.filter(name=name).exists():
        raise ValidationFailed(
            _("%(place)s already has an organization called %(name)s.")
            % {"place": area.name, "name": name},
            field="name",
        )
    return Organization.objects.create(
        area=area,
        kind=kind,
        name=name,
        parent=parent,
        contact_name=contact_name,
        contact_phone_encrypted=crypto.encrypt(phone),
        description=description,
        created_by=by,
    )


@transaction.atomic
def org_retire(
    *, org: Organization, by: User, now: dt.datetime | None = None
) -> Organization:
    """An organization disbands or is replaced (a new property company
    takes over): it stays on record, no longer active."""
    org = Organization.objects.select_for_update().select_related("area").get(pk=org.pk)
    if not in_scope(by, org.area, Perm.ORG_MANAGE):
        raise NotAllowed(_("You may not change organizations here."))
    if not org.active:
        raise TransitionNotAllowed(
            _("This organization is no longer active."), field="active"
        )
    org.active = False
    org.retired_at = now or timezone.now()
    org.save(update_fields=["active", "retired_at"])
    return org


@transaction.atomic
def agreement_create(
    *,
    unit: Organization,
    signed_on: dt.date,
    ends_on: dt.date,
    commitments: str,
    by: User,
    community: Area | None = None,
) -> Agreement:
    """A co-building agreement of ``unit`` with ``community`` (its own by
    default): what it commits to, signed on one day and ending after it,
    within ten years."""
    if unit.kind != OrgKind.CO_BUILDING or not unit.active:
        raise ValidationFailed(
            _("Agreements are signed with an active co-building unit."),
            field="unit",
        )
    community = community or unit.area
    if community.kind != Kind.COMMUNITY:
        raise ValidationFailed(
            _("An agreement is signed with a community."), field="community"
        )
    if not in_scope(by, community, Perm.ORG_MANAGE):
        raise NotAllowed(_("You may not record agreements here."))
    if not isinstance(signed_on, dt.date):
        raise ValidationFailed(_("Enter a valid date."), field="signed_on")
    if not isinstance(ends_on, dt.date):
        raise ValidationFailed(_("Enter a valid date."), field="ends_on")
    if ends_on <= signed_on:
        raise ValidationFailed(
            _("The agreement must end after it is signed."), field="ends_on"
        )
    if (ends_on - signed_on).days > 366 * TERM_MAX_YEARS:
        raise ValidationFailed(
            _("An agreement runs at most %(years)d years.") % {"years": TERM_MAX_YEARS},
            field="ends_on",
        )
    commitments = text_clean(
        commitments, field="commitments", limit=TEXT_MAX, required=True
    )
    return Agreement.objects.create(
        unit=unit,
        community=community,
        signed_on=signed_on,
        ends_on=ends_on,
        commitments=commitments,
        created_by=by,
    )
