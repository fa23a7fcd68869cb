"""Points for a resident in tests, moved the one way points move."""

from gongzhi.points.models import Account, AccountKind, TransferKind
from gongzhi.points.services.ledger import Leg, account_open, transfer_create
from gongzhi.residents.models import Person


def resident_funded(person: Person, community, points: int, reason: str) -> Account:
    """``person``'s account in ``community`` with ``points`` earned for
    ``reason`` from the community's issuing account."""
    issuing = account_open(kind=AccountKind.ISSUING, community=community)
    account = account_open(kind=AccountKind.PERSON, community=community, person=person)
    transfer_create(
        kind=TransferKind.EARN,
        area=community,
        legs=[Leg(issuing, -points), Leg(account, points)],
        by=None,
        reason=reason,
        idempotency_key=f"fund:{person.pk}:{reason}",
    )
    account.refresh_from_db()
    return account
