import pytest

from gongzhi.accounts.models import Grant
from gongzhi.accounts.roles import Role
from gongzhi.accounts.services import user_create
from gongzhi.requests.tests.conftest import T0, hours, photo, raise_wall, world
from gongzhi.volunteering.tests.conftest import PUBLISHED, STARTS, event

__all__ = [
    "PUBLISHED",
    "STARTS",
    "T0",
    "event",
    "hours",
    "photo",
    "raise_wall",
    "world",
]


@pytest.fixture(autouse=True)
def _fresh_adapters(settings):
    """Each test builds the channels from its own settings."""
    from gongzhi.notices import channels

    channels.reset()
    yield
    channels.reset()


def resident_user(person, phone: str):
    """A portal login for ``person``, a resident of her household."""
    user = user_create(phone=phone, name=person.name, password="Res#2026xx", by=None)
    Grant.objects.create(user=user, area=person.household, role=Role.RESIDENT)
    person.user = user
    person.save(update_fields=["user"])
    return user
