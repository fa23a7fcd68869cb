"""What the workbench's and the portal's pages share."""

from __future__ import annotations

from gongzhi.areas.models import Area
from gongzhi.core.errors import DomainError
from gongzhi.core.forms import add_domain_error

from ..services import nominations


def nominate_from_form(request, selection, form):
    """The nomination a valid nominate form asks for, named by address;
    None, with the refusal on the form's field, when a service refuses."""
    data = form.cleaned_data
    try:
        nominee = nominations.nominee_find(
            selection=selection,
            place=Area.objects.filter(pk=data["place"]).first(),
            room=data.get("room", ""),
            name=data.get("name", ""),
            by=request.user,
        )
        return nominations.nomination_create(
            selection=selection,
            by=request.user,
            story=data["story"],
            category=data.get("category", ""),
            photos=request.FILES.getlist("photos"),
            **nominee,
        )
    except DomainError as exc:
        add_domain_error(form, exc)
        return None
