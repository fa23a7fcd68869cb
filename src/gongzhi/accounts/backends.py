"""Login by phone number and password."""

import re

from django.contrib.auth.backends import BaseBackend

from gongzhi.core import crypto

from .models import User
from .phones import normalize_phone

_BLIND_INDEX = re.compile(r"[0-9a-f]{64}")


class PhoneBackend(BaseBackend):
    def authenticate(self, request, phone=None, password=None, **kwargs):
        if not phone or password is None:
            return None
        try:
            user = User.objects.get_by_natural_key(phone)
        except User.DoesNotExist:
            # Hash anyway, so an unknown number takes as long as a wrong
            # password and the response time does not tell them apart.
            User().set_password(password)
            return None
        if user.is_active and user.check_password(password):
            return user
        return None

    def get_user(self, user_id):
        try:
            user = User.objects.get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if user.is_active else None


def axes_username(request, credentials) -> str:
    """What django-axes records for a login attempt: the blind index of the
    phone number, so the lockout table holds no phone numbers."""
    raw = (credentials or {}).get("phone")
    if raw is None and request is not None:
        raw = request.POST.get("phone", "")
    # After a successful login axes asks again with the user's
    # USERNAME_FIELD, which already is the blind index; hashing it again
    # would miss the failures to reset (AXES_RESET_ON_SUCCESS).
    if _BLIND_INDEX.fullmatch(raw or ""):
        return raw
    return crypto.blind_index(normalize_phone(raw or ""), purpose="phone")
