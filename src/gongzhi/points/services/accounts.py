"""A resident's points account, opened where she lives on first use; a
household's shared account where the street allows pooling, and moving
points into it."""

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope
from gongzhi.core.errors import ValidationFailed
from gongzhi.residents.homes import last_known_community

from ..models import Account, AccountKind, PointsPolicy, Transfer, TransferKind
from ..selectors import pooling_allowed
from .ledger import MAX_POOL, Leg, account_open, transfer_create, whole_number


def resident_account(person) -> Account:
    """The account of ``person`` with the community of her home (or her last
    one, once she moved out); 404 when she has no home in the tree."""
    community = last_known_community(person)
    if community is None:
        raise Http404
    return account_open(kind=AccountKind.PERSON, community=community, person=person)


@transaction.atomic
def policy_set(*, street: Area, household_pooling: bool, by: User) -> PointsPolicy:
    """A street's choice for its communities' points. Turning household
    accounts off keeps the points already pooled: members still redeem
    them, nobody pools more."""
    if street.kind != Kind.STREET:
        raise ValidationFailed(_("A street chooses its points policy."), field="street")
    if not in_scope(by, street, Perm.POINTS_POLICY):
        raise Http404
    policy, _created = PointsPolicy.objects.select_for_update().get_or_create(
        street=street
    )
    policy.household_pooling = bool(household_pooling)
    policy.updated_at = timezone.now()
    policy.updated_by = by
    policy.save()
    return policy


def household_account(person) -> Account | None:
    """The shared account of ``person``'s household, if one was opened."""
    if person.household_id is None:
        return None
    return Account.objects.filter(
        kind=AccountKind.HOUSEHOLD, area=person.household_id
    ).first()


def pool_into_household(
    *, account: Account, points, by: User, idempotency_key: str
) -> Transfer:
    """Move ``points`` from a resident's account into her household's
    shared account (opened on first use). The resident herself does it, or
    staff who run the shop where she lives. Refuses where the street does
    not pool, a resident with no household, more than the balance."""
    if account.kind != AccountKind.PERSON:
        raise ValidationFailed(_("Only a resident's own points can be pooled."))
    person = account.person
    if by != person.user and not in_scope(by, account.area, Perm.POINTS_MANAGE):
        raise Http404
    if not pooling_allowed(account.area):
        raise ValidationFailed(
            _("This street does not keep household accounts."), field="points"
        )
    if person.household_id is None:
        raise ValidationFailed(
            _("Only a resident living in a household can pool points."),
            field="points",
        )
    points = whole_number(points, field="points", least=1, most=MAX_POOL)
    shared = account_open(
        kind=AccountKind.HOUSEHOLD, community=account.area, household=person.household
    )
    return transfer_create(
        kind=TransferKind.POOL,
        area=account.area,
        legs=[Leg(account, -points), Leg(shared, points)],
        by=by,
        reason=_("%(name)s pooled into the household") % {"name": person.name},
        idempotency_key=f"pool:{idempotency_key}",
    )
