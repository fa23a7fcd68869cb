"""Auth tokens, the current user, grants."""

from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from gongzhi.areas.selectors import area_list
from gongzhi.core.errors import DomainError, ValidationFailed, fields_renamed

from . import selectors, services
from .roles import Perm
from .schemas import GrantIn, GrantListOut, MeOut, TokenIn, TokenOut

router = Router(tags=["accounts"])


class LockedOut(DomainError):
    status_code = 429


@router.post(
    "auth/token",
    auth=None,
    response={201: TokenOut},
    summary="Exchange phone and password for a bearer token",
)
def token_create(request, payload: TokenIn):
    if not payload.phone.strip():
        raise ValidationFailed(_("Enter a phone number."), field="phone")
    if not payload.password:
        raise ValidationFailed(_("Enter the password."), field="password")
    user = authenticate(request, phone=payload.phone, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise LockedOut(
            _("Too many failed logins. Try again in 15 minutes."), field="phone"
        )
    if user is None:
        raise ValidationFailed(
            _("The phone number or password is not correct."), field="password"
        )
    # What login() would signal: axes resets the failure count on it.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    raw, token = services.token_issue(user=user, name=payload.name, request=request)
    return Status(201, {"token": raw, "expires_at": token.expires_at})


@router.delete("auth/token", response={204: None}, summary="Revoke the token in use")
def token_delete(request):
    raw = request.headers.get("Authorization", "").partition(" ")[2].strip()
    services.token_revoke(raw=raw, by=request.user, request=request)
    return Status(204, None)


@router.get("me", response=MeOut, summary="The caller, with their grants")
def me(request):
    user = request.user
    return {
        "id": user.pk,
        "name": user.name,
        "phone": user.phone_masked,
        "perms": sorted(selectors.user_perms(user=user)),
        "grants": list(selectors.user_grants(user=user)),
    }


class GrantFilter(Schema):
    area_id: int | None = None
    include_revoked: bool = False


@router.get("grants", response=list[GrantListOut], summary="Grants you manage")
@paginate(LimitOffsetPagination, page_size=100)
def grant_list(request, filters: Query[GrantFilter]):
    grants = selectors.grant_list(
        user=request.user, include_revoked=filters.include_revoked
    )
    if filters.area_id is not None:
        grants = grants.filter(area_id=filters.area_id)
    return grants


@router.post("grants", response={201: GrantListOut}, summary="Grant a role on a node")
def grant_create(request, payload: GrantIn):
    area = (
        area_list(user=request.user, perm=Perm.GRANT_MANAGE)
        .filter(pk=payload.area_id)
        .first()
    )
    if area is None:
        raise ValidationFailed(_("No such area."), field="area_id")
    from .phones import clean_phone

    grantee = selectors.user_find_by_phone(phone=clean_phone(payload.phone))
    if grantee is None:
        raise ValidationFailed(
            _("No account has this phone number; create the account first."),
            field="phone",
        )
    with fields_renamed(area="area_id", user="phone"):
        grant = services.grant_create(
            user=grantee, area=area, role=payload.role, by=request.user, request=request
        )
    return Status(201, grant)


@router.delete("grants/{int:grant_id}", response={204: None}, summary="Revoke a grant")
def grant_delete(request, grant_id: int):
    grant = selectors.grant_get(user=request.user, pk=grant_id)
    services.grant_revoke(grant=grant, by=request.user, request=request)
    return Status(204, None)
