"""The logins every seeder opens: found by phone or opened, and granted a
role where they do not hold it yet, so seeding again adds nothing.

Seeded logins share their password (the demo's), and argon2 is slow on
purpose: the first account opened with a password goes through
``user_create`` (its checks and its hashing), the rest reuse that hash.
Hashing each of a district's tens of thousands would take hours.
"""

from __future__ import annotations

from gongzhi.accounts.models import Grant, User
from gongzhi.accounts.phones import clean_phone
from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.accounts.services import grant_create, user_create
from gongzhi.areas.models import Area

# A password's hash, made by the first account opened with it.
_HASHES: dict[str, str] = {}


def account_ensure(phone: str, name: str, password: str) -> User:
    """The login of ``phone``, opened with ``name`` and ``password`` when
    there is none."""
    user = user_find_by_phone(phone=phone)
    if user is not None:
        return user
    if password not in _HASHES:
        user = user_create(phone=phone, name=name, password=password, by=None)
        _HASHES[password] = user.password
        return user
    user = User(name=name, password=_HASHES[password])
    user.set_phone(clean_phone(phone))
    user.save()
    return user


def grant_ensure(user: User, area: Area, role: str) -> None:
    """Grant ``role`` on ``area`` unless the user holds it there."""
    held = Grant.objects.filter(
        user=user, area=area, role=role, revoked_at__isnull=True
    ).exists()
    if not held:
        grant_create(user=user, area=area, role=role, by=None)
