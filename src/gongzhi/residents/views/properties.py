"""房屋产权 pages: a place's households with their exclusive floor areas
and owners, one household's property and owners to correct, and the Excel
import, template and export of a place's properties.

Read where the user sees personal data (owners' phones masked), changed
where she manages residents, imported where she imports residents;
anywhere else answers 404.
"""

from __future__ import annotations

import tempfile

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.accounts.decorators import perm_required
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope, scope_paths
from gongzhi.areas.selectors import place_labels
from gongzhi.areas.tree import reach_within
from gongzhi.core.errors import DomainError, ValidationFailed
from gongzhi.core.forms import add_domain_error

from ..models import IdType, Owner
from ..selectors.people import people_in_scope, search_q
from ..selectors.properties import (
    owner_history,
    property_figures,
    property_household_get,
    property_households,
    property_rows,
)
from ..services import imports, owner_sheets, owners
from ..services.people import NAME_MAX_LENGTH
from .imports import XLSX, _area, _roots, _xlsx, import_upload
from .people import DATE_WIDGET

PAGE_SIZE = 50
CANDIDATES = 20


def _place(request) -> Area | None:
    """The place named by ``?area=`` (404 outside the user's reach), or
    the first estate she sees, or the top of what she sees."""
    area = _area(request, Perm.PERSONAL_VIEW)
    if area is not None:
        return area
    user = request.user
    estate = reach_within(user, Perm.PERSONAL_VIEW, Kind.ESTATE)
    first = estate.filter(retired_at__isnull=True).order_by("path").first()
    if first is not None:
        return first
    paths = scope_paths(user, Perm.PERSONAL_VIEW)
    return Area.objects.filter(path__in=paths).order_by("path").first()


def _estates(request) -> list[tuple[int, str]]:
    estates = list(
        reach_within(request.user, Perm.PERSONAL_VIEW, Kind.ESTATE)
        .filter(retired_at__isnull=True)
        .order_by("path")[:300]
    )
    labels = place_labels(estates)
    return [(e.pk, labels[e.pk]) for e in estates]


@perm_required(Perm.PERSONAL_VIEW)
def property_list(request):
    """A place's households, 50 a page: floor area, certificate, owners
    with their masked phones; how many still lack an area or an owner."""
    place = _place(request)
    if place is None:
        raise Http404
    households = property_households(user=request.user, area=place)
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    context = {
        "place": place,
        "place_label": place_labels([place])[place.pk],
        "estates": _estates(request),
        "figures": property_figures(households),
        "page": page,
        "rows": property_rows(page.object_list),
        "can_manage": in_scope(user, place, Perm.RESIDENT_MANAGE),
        "can_import": in_scope(user, place, Perm.RESIDENT_IMPORT),
    }
    return render(request, "residents/properties/list.html", context)


class PropertyForm(forms.Form):
    floor_area = forms.CharField(
        label=gettext_lazy("Exclusive floor area (m²)"),
        required=False,
        max_length=30,
        help_text=gettext_lazy(
            "As on the property certificate, e.g. 86.5; empty when not known."
        ),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    certificate_no = forms.CharField(
        label=gettext_lazy("Property certificate number"),
        required=False,
        max_length=owners.CERTIFICATE_MAX_LENGTH,
    )


class OwnerPickForm(forms.Form):
    person = forms.TypedChoiceField(
        label=gettext_lazy("Owner from the registry"), coerce=int
    )
    since = forms.DateField(
        label=gettext_lazy("Owner since"), required=False, widget=DATE_WIDGET
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "")] + list(candidates)


class OwnerRegisterForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Full name"), max_length=NAME_MAX_LENGTH)
    id_type = forms.ChoiceField(
        label=gettext_lazy("Document type"),
        choices=IdType.choices,
        initial=IdType.RESIDENT_ID,
    )
    id_number = forms.CharField(label=gettext_lazy("Document number"), max_length=30)
    gender = forms.ChoiceField(
        label=gettext_lazy("Gender"),
        required=False,
        choices=[
            ("", gettext_lazy("From the ID card")),
            ("male", "男"),
            ("female", "女"),
        ],
    )
    phone = forms.CharField(label=gettext_lazy("Phone"), required=False, max_length=20)
    since = forms.DateField(
        label=gettext_lazy("Owner since"), required=False, widget=DATE_WIDGET
    )


class OwnerEndForm(forms.Form):
    until = forms.DateField(
        label=gettext_lazy("Owner until"), required=False, widget=DATE_WIDGET
    )


def _candidates(request, household: Area, q: str) -> list[tuple[int, str]]:
    """Whom the pick form offers: the household's residents, and the
    people in the user's reach whom the search ``q`` finds."""
    wanted = Q(household=household)
    if q:
        wanted |= search_q(q)
    people = list(
        people_in_scope(user=request.user)
        .filter(wanted)
        .select_related("last_household")
        .order_by("name", "pk")[: CANDIDATES * 2]
    )
    people.sort(key=lambda p: p.household_id != household.pk)
    labels = place_labels([p.last_household for p in people])
    return [
        (p.pk, f"{p.name} · {labels[p.last_household_id]} {p.phone_masked}".strip())
        for p in people
    ]


@perm_required(Perm.PERSONAL_VIEW)
def property_edit(request, household_id: int):
    """One household's floor area, certificate and owners: seen where the
    user sees personal data, changed where she manages residents."""
    household = property_household_get(user=request.user, pk=household_id)
    can_manage = in_scope(request.user, household, Perm.RESIDENT_MANAGE)
    posted = request.method == "POST"
    if posted and not can_manage:
        raise Http404
    action = request.POST.get("action") if posted else None
    q = " ".join(request.GET.get("q", "").split())[:50]
    candidates = _candidates(request, household, q)
    prop = getattr(household, "property", None)
    property_form = PropertyForm(
        request.POST if action == "property" else None,
        initial={
            "floor_area": prop.floor_area if prop else "",
            "certificate_no": prop.certificate_no if prop else "",
        },
    )
    pick_form = OwnerPickForm(
        request.POST if action == "pick" else None, candidates=candidates
    )
    register_form = OwnerRegisterForm(request.POST if action == "register" else None)
    forms_by_action = {
        "property": property_form,
        "pick": pick_form,
        "register": register_form,
    }
    form = forms_by_action.get(action)
    if posted and form is None:
        raise Http404
    if form is not None and form.is_valid():
        try:
            message = _save(request, household, action, form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, message)
            return redirect("residents:property", household.pk)
    history = owner_history(household)
    context = {
        "household": household,
        "label": place_labels([household])[household.pk],
        "property": prop,
        "current": [o for o in history if o.until is None],
        "past": [o for o in history if o.until is not None],
        "can_manage": can_manage,
        "property_form": property_form,
        "pick_form": pick_form,
        "register_form": register_form,
        "q": q,
    }
    status = 400 if form is not None else 200
    return render(request, "residents/properties/edit.html", context, status=status)


def _save(request, household: Area, action: str, data: dict) -> str:
    by = request.user
    if action == "property":
        owners.property_update(
            household=household,
            floor_area=data["floor_area"],
            certificate_no=data["certificate_no"],
            by=by,
            request=request,
        )
        return _("The floor area is saved.")
    if action == "pick":
        person = people_in_scope(user=by).filter(pk=data["person"]).first()
        if person is None:
            raise ValidationFailed(_("Not found."), field="person")
        owners.owner_add(
            household=household,
            person=person,
            since=data["since"],
            by=by,
            request=request,
        )
        return _("%(name)s is now an owner.") % {"name": person.name}
    owner = owners.owner_register(
        household=household,
        name=data["name"],
        id_type=data["id_type"],
        id_number=data["id_number"],
        gender=data["gender"] or None,
        phone=data["phone"],
        since=data["since"],
        by=by,
        request=request,
    )
    return _("%(name)s is registered as an owner living elsewhere.") % {
        "name": owner.person.name
    }


@require_POST
@perm_required(Perm.RESIDENT_MANAGE)
def owner_end(request, household_id: int, owner_id: int):
    household = property_household_get(
        user=request.user, pk=household_id, perm=Perm.RESIDENT_MANAGE
    )
    owner = get_object_or_404(
        Owner.objects.select_related("person"),
        pk=owner_id,
        property__area=household,
    )
    form = OwnerEndForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationFailed(_("Enter a valid date."), field="until")
        owners.owner_end(
            owner=owner,
            until=form.cleaned_data["until"],
            by=request.user,
            request=request,
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("%(name)s is no longer an owner.") % {"name": owner.person.name}
        )
    return redirect("residents:property", household.pk)


# Excel


def _import_url(area: Area | None) -> str:
    base = reverse("residents:properties_import")
    return f"{base}?area={area.pk}" if area is not None else base


@perm_required(Perm.RESIDENT_IMPORT)
def properties_import(request):
    area = _area(request, Perm.RESIDENT_IMPORT)
    context = {
        "area": area,
        "roots": _roots(request, area),
        "columns": owner_sheets.COLUMNS,
        "max_rows": f"{owner_sheets.MAX_ROWS:,}",
    }
    return import_upload(
        request,
        context=context,
        run=lambda upload: owner_sheets.properties_import(
            file=upload,
            by=request.user,
            area=area,
            request=request,
            filename=upload.name,
        ),
        success=lambda summary: (
            _(
                "Imported %(households)d households: %(added)d owners added, "
                "%(ended)d ended, %(people)d owners living elsewhere registered."
            )
            % {
                "households": summary.households,
                "added": summary.owners_added,
                "ended": summary.owners_ended,
                "people": summary.people_registered,
            }
        ),
        template="residents/properties/import.html",
        sheet_title=owner_sheets.SHEET_TITLE,
    )


@perm_required(Perm.RESIDENT_IMPORT)
def properties_template(request):
    area = _area(request, Perm.RESIDENT_IMPORT)
    data = owner_sheets.properties_template_build(by=request.user, area=area)
    return _xlsx(data, "房屋产权导入模板.xlsx")


@perm_required(Perm.RESIDENT_IMPORT)
def properties_report(request, token: str):
    data = imports.import_report_get(token=token, by=request.user)
    if data is None:
        raise Http404
    return _xlsx(data, "房屋产权导入_错误报告.xlsx")


@perm_required(Perm.PERSONAL_VIEW)
def properties_export(request):
    """The place's floor areas and owners as .xlsx, masked, watermarked
    and audited."""
    place = _place(request)
    if place is None:
        raise Http404
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    try:
        owner_sheets.properties_export(
            by=request.user, area=place, out=out, request=request
        )
    except DomainError as exc:
        out.close()
        messages.error(request, str(exc.message))
        return redirect(f"{reverse('residents:properties')}?area={place.pk}")
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=owner_sheets.export_filename(),
        content_type=XLSX,
    )


urlpatterns = [
    path("properties/", property_list, name="properties"),
    path("properties/<int:household_id>/", property_edit, name="property"),
    path(
        "properties/<int:household_id>/owners/<int:owner_id>/end/",
        owner_end,
        name="property_owner_end",
    ),
    path("properties/import/", properties_import, name="properties_import"),
    path(
        "properties/import/template.xlsx",
        properties_template,
        name="properties_template",
    ),
    path(
        "properties/import/report/<str:token>.xlsx",
        properties_report,
        name="properties_report",
    ),
    path("properties/export.xlsx", properties_export, name="properties_export"),
]
