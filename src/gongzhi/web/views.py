from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gongzhi.accounts.decorators import workbench_required
from gongzhi.accounts.roles import Perm
from gongzhi.accounts.selectors import user_can, user_grants
from gongzhi.areas.selectors import area_ancestors, area_children, area_kind_counts
from gongzhi.notices.selectors import notices_for_resident

from .todo import todos_at, todos_of_queues, todos_of_resident

CHILDREN_SHOWN = 24
HOME_NOTICES = 3


@require_GET
@never_cache
def healthz(request):
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def home(request):
    if user_can(user=request.user, perm=Perm.WORKBENCH):
        return redirect("web:workbench")
    return redirect("web:portal")


@workbench_required
def workbench(request):
    grants = list(user_grants(user=request.user))
    places = [
        {
            "grant": grant,
            "ancestors": area_ancestors(area=grant.area),
            "counts": area_kind_counts(area=grant.area),
            "children": list(
                area_children(user=request.user, area=grant.area)[:CHILDREN_SHOWN]
            ),
            "todos": todos_at(user=request.user, area=grant.area),
        }
        for grant in grants
    ]
    return render(
        request,
        "web/workbench.html",
        {
            "places": places,
            "queues": todos_of_queues(user=request.user),
            "children_shown": CHILDREN_SHOWN,
        },
    )


@login_required
def portal(request):
    """The resident's home on a phone: their household and what they can
    do. Staff who are also residents reach it too."""
    grants = [g for g in user_grants(user=request.user) if g.role == "resident"]
    homes = [{"area": g.area, "ancestors": area_ancestors(area=g.area)} for g in grants]
    return render(
        request,
        "web/portal.html",
        {
            "homes": homes,
            "mine": todos_of_resident(user=request.user),
            "notices": notices_for_resident(user=request.user)[:HOME_NOTICES],
        },
    )


@login_required
def account(request):
    template = (
        "web/account.html"
        if user_can(user=request.user, perm=Perm.WORKBENCH)
        else "web/portal_account.html"
    )
    return render(request, template, {"grants": user_grants(user=request.user)})


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to
    the SVG icon the base template names."""
    return redirect(static("web/favicon.svg"), permanent=True)
