"""The JSON API under /api/v1/ (Django Ninja), with token auth."""

from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from gongzhi.accounts.services import token_authenticate
from gongzhi.core.errors import DomainError


class BearerToken(HttpBearer):
    openapi_description = "POST /api/v1/auth/token, then Authorization: Bearer …"

    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Gongzhi API",
    version="1",
    description=(
        "共治 Gongzhi: areas, accounts and grants. Every endpoint is scoped to "
        "the caller's area subtree; objects outside it answer 404."
    ),
    auth=BearerToken(),
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(_("Not found."))}, status=404)


@api.exception_handler(DataError)
@api.exception_handler(OverflowError)
def out_of_range(request, exc):
    """A value the database cannot hold (a number beyond its column's
    range): the statement failed, so nothing was written. The gate and the
    services refuse such values first, naming the field; this is the floor
    under them, so a client never sees a 500 for its own input."""
    return api.create_response(
        request,
        {
            "detail": str(_("A value is out of the range this field can hold.")),
            "field": None,
        },
        status=400,
    )


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return api.create_response(
        request,
        {"detail": str(_("Missing, expired or revoked token."))},
        status=401,
    )


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    """Ninja's 422 with a readable first message naming the field."""
    errors = exc.errors
    first = errors[0] if errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path")]
    field = ".".join(p for p in loc if p != "payload") or None
    detail = str(
        _("%(field)s: %(message)s")
        % {"field": field or _("input"), "message": first.get("msg", "")}
    )
    return api.create_response(
        request, {"detail": detail, "field": field, "errors": errors}, status=422
    )


def _routers():
    from gongzhi.accounts.api import router as accounts_router
    from gongzhi.areas.api import router as areas_router
    from gongzhi.councils.api import router as councils_router
    from gongzhi.insights.dashboard_api import router as insights_router
    from gongzhi.insights.rates_api import router as rates_router
    from gongzhi.notices.api import router as notices_router
    from gongzhi.orgs.api import router as orgs_router
    from gongzhi.points.api import router as points_router
    from gongzhi.requests.api import router as requests_router
    from gongzhi.residents.api import router as residents_router
    from gongzhi.selections.api import router as selections_router
    from gongzhi.volunteering.api import router as volunteering_router
    from gongzhi.web.api import router as web_router

    api.add_router("/", accounts_router)
    api.add_router("/", web_router)
    api.add_router("/areas", areas_router)
    api.add_router("/residents", residents_router)
    api.add_router("/points", points_router)
    api.add_router("/volunteering", volunteering_router)
    api.add_router("/orgs", orgs_router)
    api.add_router("/requests", requests_router)
    api.add_router("/requests/rates", rates_router)
    api.add_router("/selections", selections_router)
    api.add_router("/councils", councils_router)
    api.add_router("/", notices_router)
    api.add_router("/insights", insights_router)


_routers()
