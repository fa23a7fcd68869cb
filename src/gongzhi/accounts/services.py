"""Every change to accounts, grants and API tokens."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope
from gongzhi.audit.models import Action
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import NotAllowed, ValidationFailed

from .models import ApiToken, Grant, User, phone_index, token_digest
from .phones import clean_phone
from .roles import ROLE_KINDS, Perm, Role
from .selectors import grantable_roles, user_can

NAME_MAX_LENGTH = 50


def _forget_cached_scope(user: User) -> None:
    user.__dict__.pop("_scope_cache", None)
    user.__dict__.pop("_perm_cache", None)


def _clean_person_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("Enter the full name."), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationFailed(
            _("A full name can have at most %(max)d characters (this one has %(n)d).")
            % {"max": NAME_MAX_LENGTH, "n": len(name)},
            field="name",
        )
    return name


def _check_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="password") from exc


@transaction.atomic
def user_create(
    *, phone: str, name: str, password: str, by: User | None, request=None
) -> User:
    """Open an account. ``by`` None means the command line or seeding;
    otherwise ``by`` needs account.manage somewhere."""
    if by is not None and not user_can(user=by, perm=Perm.ACCOUNT_MANAGE):
        raise NotAllowed(_("You may not create accounts."))
    phone = clean_phone(phone)
    name = _clean_person_name(name)
    user = User(name=name)
    user.set_phone(phone)
    _check_password(password, user)
    if User.objects.filter(phone_index=phone_index(phone)).exists():
        raise ValidationFailed(
            _("An account with this phone number already exists."), field="phone"
        )
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # created meanwhile by someone else
        raise ValidationFailed(
            _("An account with this phone number already exists."), field="phone"
        ) from exc
    if by is not None:
        audit_record(by=by, action=Action.USER_CREATED, target=user, request=request)
    return user


@transaction.atomic
def user_set_password(
    *,
    user: User,
    password: str,
    by: User,
    old_password: str | None = None,
    request=None,
) -> User:
    """Change one's own password (with the old one) or, with
    account.manage, reset another's."""
    if by.pk == user.pk:
        if old_password is None or not user.check_password(old_password):
            raise ValidationFailed(
                _("The current password is not correct."), field="old_password"
            )
    elif not user_can(user=by, perm=Perm.ACCOUNT_MANAGE):
        raise NotAllowed(_("You may not reset other people's passwords."))
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    # A new password ends every API token issued under the old one.
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit_record(by=by, action=Action.PASSWORD_SET, target=user, request=request)
    return user


def _check_role_on(role: str, area: Area) -> None:
    if role not in Role.values:
        raise ValidationFailed(_("Choose a valid role."), field="role")
    if area.kind not in ROLE_KINDS[role]:
        kinds = get_text_list(
            [f"“{Kind(k).label}”" for k in Kind.values if k in ROLE_KINDS[role]],
            _("or"),
        )
        raise ValidationFailed(
            _(
                "The role “%(role)s” is granted on an area of kind %(kinds)s; "
                "this area is of kind “%(kind)s”."
            )
            % {"role": Role(role).label, "kinds": kinds, "kind": Kind(area.kind).label},
            field="area",
        )


@transaction.atomic
def grant_create(
    *, user: User, area: Area, role: str, by: User | None, request=None
) -> Grant:
    """Grant ``role`` on ``area`` to ``user``.

    ``by`` needs grant.manage on ``area`` through a role allowed to hand out
    ``role`` (see ``roles.GRANTABLE``); ``by`` None means the command line.
    Refuses a role that does not fit the node's kind, a grant the user
    already holds, a retired node, and granting oneself anything.
    """
    if role not in Role.values:
        raise ValidationFailed(_("Choose a valid role."), field="role")
    if by is not None:
        if not in_scope(by, area, Perm.GRANT_MANAGE):
            raise ValidationFailed(_("No such area."), field="area")
        if role not in grantable_roles(user=by, area=area):
            raise NotAllowed(
                _("You may not grant the role %(role)s.") % {"role": Role(role).label}
            )
        if by.pk == user.pk:
            raise NotAllowed(_("You cannot grant a role to yourself."))
    _check_role_on(role, area)
    if area.is_retired:
        raise ValidationFailed(
            _("“%(name)s” is retired.") % {"name": area.name}, field="area"
        )
    if not user.is_active:
        raise ValidationFailed(_("This account is disabled."), field="user")
    exists = Grant.objects.filter(
        user=user, area=area, role=role, revoked_at__isnull=True
    ).exists()
    if exists:
        raise ValidationFailed(
            _("%(name)s already holds this role here.") % {"name": user.name},
            field="role",
        )
    try:
        with transaction.atomic():
            grant = Grant.objects.create(user=user, area=area, role=role, granted_by=by)
    except IntegrityError as exc:
        raise ValidationFailed(
            _("%(name)s already holds this role here.") % {"name": user.name},
            field="role",
        ) from exc
    _forget_cached_scope(user)
    if by is not None:
        audit_record(
            by=by,
            action=Action.GRANT_CREATED,
            target=grant,
            area=area,
            request=request,
            detail={"role": role, "user": user.pk},
        )
    return grant


@transaction.atomic
def grant_revoke(*, grant: Grant, by: User, request=None) -> Grant:
    """End a grant. The row stays, with who revoked it and when."""
    grant = (
        Grant.objects.select_for_update()
        .select_related("area", "user")
        .get(pk=grant.pk)
    )
    if not in_scope(by, grant.area, Perm.GRANT_MANAGE):
        raise ValidationFailed(_("No such grant."), field="grant")
    if grant.role not in grantable_roles(user=by, area=grant.area):
        raise NotAllowed(
            _("You may not revoke the role %(role)s.")
            % {"role": grant.get_role_display()}
        )
    if grant.user_id == by.pk:
        raise NotAllowed(_("You cannot revoke your own role."))
    if grant.revoked_at is not None:
        raise ValidationFailed(_("This grant is already revoked."), field="grant")
    grant.revoked_at = timezone.now()
    grant.revoked_by = by
    grant.save(update_fields=["revoked_at", "revoked_by"])
    _forget_cached_scope(grant.user)
    audit_record(
        by=by,
        action=Action.GRANT_REVOKED,
        target=grant,
        area=grant.area,
        request=request,
        detail={"role": grant.role, "user": grant.user_id},
    )
    return grant


TOKEN_PREFIX = "gz_"


@transaction.atomic
def token_issue(*, user: User, name: str = "", request=None) -> tuple[str, ApiToken]:
    """A new API token; the plain token is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        digest=token_digest(raw),
        name=name[:100],
        expires_at=timezone.now() + settings.API_TOKEN_LIFETIME,
    )
    audit_record(by=user, action=Action.TOKEN_ISSUED, target=token, request=request)
    return raw, token


def token_authenticate(raw: str) -> User | None:
    """The active user owning an unexpired, unrevoked token, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    # The digest is unique: a slice, not first(), whose ORDER BY Django takes
    # longer to build than the database to run, on every API request.
    tokens = ApiToken.objects.select_related("user").filter(digest=token_digest(raw))
    token = next(iter(tokens[:1]), None)
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    # Touch last use at most once a minute: a busy client must not turn
    # every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, raw: str, by: User, request=None) -> ApiToken:
    token = (
        ApiToken.objects.select_for_update()
        .filter(digest=token_digest(raw), user=by)
        .first()
    )
    if token is None:
        raise ValidationFailed(_("No such token."), field="token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(by=by, action=Action.TOKEN_REVOKED, target=token, request=request)
    return token
