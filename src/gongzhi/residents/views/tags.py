"""A street's key-population tags: the defaults it offers and its own,
added and switched off by street and district managers."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.accounts.decorators import perm_required
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import scope_paths, scoped
from gongzhi.areas.tree import street_of
from gongzhi.core.errors import DomainError
from gongzhi.core.forms import add_domain_error

from ..models import TagType
from ..services import tags as services


class TagTypeForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"), max_length=services.NAME_MAX_LENGTH
    )
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=services.CODE_MAX_LENGTH,
        help_text=gettext_lazy(
            "Lowercase letters, digits and underscores, for exports and the API "
            "(for example lost_only_child)."
        ),
    )
    has_grade = forms.BooleanField(
        label=gettext_lazy("Has a grade (1 to 4), like 残疾人"), required=False
    )
    visit_every_days = forms.IntegerField(
        label=gettext_lazy("Visit every (days)"),
        required=False,
        help_text=gettext_lazy("How often a grid worker visits; empty for no plan."),
    )


def _configurable(request):
    return scoped(
        Area.objects.all(), user=request.user, via="", perm=Perm.TAG_CONFIGURE
    )


def _place(request) -> Area:
    """The node ``?area=`` names, where the user configures tags (404
    elsewhere); without one, the node her role sits on."""
    raw = request.GET.get("area", "")
    if raw:
        if not raw.isdigit():
            raise Http404
        return get_object_or_404(_configurable(request), pk=int(raw))
    paths = scope_paths(request.user, Perm.TAG_CONFIGURE)
    return get_object_or_404(Area.objects.filter(path=paths[0]))


@perm_required(Perm.TAG_CONFIGURE)
def tag_config(request):
    """The tags of one street, with a form to add one. A district manager
    opening her district picks the street first."""
    area = _place(request)
    street = street_of(area)
    if street is None:
        streets = _configurable(request).filter(
            kind=Kind.STREET, path__within=area.path, retired_at__isnull=True
        )
        return render(
            request,
            "residents/tags/streets.html",
            {"area": area, "streets": streets.order_by("path")},
        )
    form = TagTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tag = services.tag_type_create(
                street=street, by=request.user, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Tag %(tag)s added.") % {"tag": tag.name})
            return redirect(f"{request.path}?area={street.pk}")
    context = {
        "street": street,
        "tags": services.street_tag_types(street=street),
        "form": form,
    }
    return render(
        request,
        "residents/tags/config.html",
        context,
        status=400 if form.errors else 200,
    )


def _street_tag(request, tag_id: int) -> TagType:
    return get_object_or_404(
        scoped(
            TagType.objects.filter(street__isnull=False),
            user=request.user,
            via="street",
            perm=Perm.TAG_CONFIGURE,
        ),
        pk=tag_id,
    )


def _switch(request, tag_id: int, switch, done: str):
    tag = _street_tag(request, tag_id)
    try:
        tag = switch(tag=tag, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done % {"tag": tag.name})
    return redirect(f"{reverse('residents:tags')}?area={tag.street_id}")


@require_POST
@perm_required(Perm.TAG_CONFIGURE)
def tag_deactivate(request, tag_id: int):
    """Stop offering a street's own tag; people keep theirs."""
    return _switch(
        request, tag_id, services.tag_type_deactivate, _("Tag %(tag)s switched off.")
    )


@require_POST
@perm_required(Perm.TAG_CONFIGURE)
def tag_activate(request, tag_id: int):
    return _switch(
        request, tag_id, services.tag_type_activate, _("Tag %(tag)s is in use again.")
    )


urlpatterns = [
    path("tags/", tag_config, name="tags"),
    path("tags/<int:tag_id>/off/", tag_deactivate, name="tag_deactivate"),
    path("tags/<int:tag_id>/on/", tag_activate, name="tag_activate"),
]
