"""A resident's points account, opened where she lives on first use."""

from django.http import Http404

from ..models import Account, AccountKind
from ..selectors import community_of
from .ledger import account_open


def resident_account(person) -> Account:
    """The account of ``person`` with the community of her home (or her last
    one, once she moved out); 404 when she has no home in the tree."""
    home = person.household or person.last_household
    community = community_of(home) if home is not None else None
    if community is None:
        raise Http404
    return account_open(kind=AccountKind.PERSON, community=community, person=person)
