from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from gongzhi.accounts.decorators import perm_required
from gongzhi.areas.selectors import area_get
from gongzhi.audit.models import Action
from gongzhi.audit.services import audit_record
from gongzhi.core.errors import DomainError
from gongzhi.core.forms import add_domain_error

from . import selectors, services
from .forms import AccountCreateForm, GrantForm, LoginForm, PasswordChangeForm
from .roles import ROLE_KINDS, Perm

GRANTS_PAGE_SIZE = 100


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url or "web:home")
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        audit_record(
            by=form.user, action=Action.LOGIN, target=form.user, request=request
        )
        return redirect(next_url or "web:home")
    status = 429 if getattr(request, "axes_locked_out", False) else 200
    if request.method == "POST" and status == 200 and not form.is_valid():
        status = 400
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": next_url},
        status=status,
    )


def lockout(request, response=None, credentials=None, *args, **kwargs):
    """What django-axes answers once a phone number is locked out."""
    message = _("Too many failed logins. Try again in 15 minutes.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "field": "phone"}, status=429)
    form = LoginForm(request, data=request.POST or None)
    form.is_valid()
    form.errors.clear()
    form.add_error(None, message)
    return render(request, "accounts/login.html", {"form": form}, status=429)


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


@login_required
@sensitive_post_parameters("old_password", "new_password")
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                user=request.user,
                password=form.cleaned_data["new_password"],
                old_password=form.cleaned_data["old_password"],
                by=request.user,
                request=request,
            )
        except DomainError as exc:
            field = "new_password" if exc.field == "password" else exc.field
            form.add_error(field if field in form.fields else None, str(exc.message))
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("web:account")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@perm_required(Perm.ACCOUNT_MANAGE)
@sensitive_post_parameters("password")
def account_create(request):
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                by=request.user, request=request, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Account for %(name)s created. Grant it a role to give it access.")
                % {"name": user.name},
            )
            return redirect("accounts:account_create")
    return render(
        request,
        "accounts/account_create.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@perm_required(Perm.GRANT_MANAGE)
def grant_list(request):
    grants = selectors.grant_list(user=request.user)
    area = None
    if request.GET.get("area"):
        try:
            area = area_get(
                user=request.user, pk=int(request.GET["area"]), perm=Perm.GRANT_MANAGE
            )
        except ValueError:
            area = None
        if area is not None:
            grants = grants.filter(area=area)
    page = Paginator(grants, GRANTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/grant_list.html", {"page": page, "area": area})


@perm_required(Perm.GRANT_MANAGE)
def grant_create(request, area_id: int):
    area = area_get(user=request.user, pk=area_id, perm=Perm.GRANT_MANAGE)
    roles = [
        role
        for role in selectors.grantable_roles(user=request.user, area=area)
        if area.kind in ROLE_KINDS[role]
    ]
    form = GrantForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        grantee = selectors.user_find_by_phone(phone=form.cleaned_data["phone"])
        if grantee is None:
            form.add_error(
                "phone",
                _("No account has this phone number; create the account first."),
            )
        else:
            try:
                services.grant_create(
                    user=grantee,
                    area=area,
                    role=form.cleaned_data["role"],
                    by=request.user,
                    request=request,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request, _("Role granted to %(name)s.") % {"name": grantee.name}
                )
                return redirect(f"{_grants_url()}?area={area.pk}")
    return render(
        request,
        "accounts/grant_form.html",
        {"form": form, "area": area, "roles": roles},
        status=400 if form.errors else 200,
    )


def _grants_url() -> str:
    return reverse("accounts:grant_list")


@require_POST
@perm_required(Perm.GRANT_MANAGE)
def grant_revoke(request, grant_id: int):
    grant = selectors.grant_get(user=request.user, pk=grant_id)
    try:
        services.grant_revoke(grant=grant, by=request.user, request=request)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Role revoked from %(name)s.") % {"name": grant.user.name}
        )
    return redirect(f"{_grants_url()}?area={grant.area_id}")
