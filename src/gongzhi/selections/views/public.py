"""Public pages, no login needed: the honour roll of a community or a
street, the publicity (公示) of a selection's winners, and their photos.
They show only what is publicised; objecting needs a login."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import DomainError
from gongzhi.core.photos import photo_file_response

from .. import selectors
from ..models import Selection, SelectionStatus
from ..services import publicity


def roll_page(request, area_id: int):
    area = selectors.public_area(area_id)
    year = request.GET.get("year", "")
    rows = selectors.roll(
        area, year=int(year) if year.isdigit() and len(year) == 4 else None
    )
    years = sorted({n.selection.year for n in selectors.roll(area)}, reverse=True)
    groups: dict[tuple, list] = {}
    for n in rows:
        groups.setdefault((n.selection.year, n.selection.kind.name), []).append(n)
    context = {
        "area": area,
        "groups": [(year, kind, items) for (year, kind), items in groups.items()],
        "years": years,
        "links": selectors.roll_areas(area),
        "publicity": list(selectors.publicity_selections(area)[:20]),
    }
    return render(request, "selections/public/roll.html", context)


def publicity_page(request, selection_id: int):
    selection = get_object_or_404(
        Selection.objects.select_related("area", "kind").filter(
            status=SelectionStatus.PUBLICITY
        ),
        pk=selection_id,
    )
    return render(
        request,
        "selections/public/publicity.html",
        {"s": selection, "rows": selectors.in_publicity(selection)},
    )


@require_POST
@login_required
def object_post(request, nomination_id: int):
    nomination = selectors.public_nomination(nomination_id)
    try:
        publicity.objection_raise(
            nomination=nomination,
            by=request.user,
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Your objection is received; the community will investigate it.")
        )
    return redirect("selections:publicity", nomination.selection_id)


def public_photo(request, photo_id: int):
    return photo_file_response(selectors.public_photo(photo_id).image)
