"""Organizations in the workbench: the organizations and co-building
agreements of the communities in reach (org.view), recording them
(org.manage), an estate's five-level service chain, and the 双报到 pool
where staff confirm or decline registrations and read each member's hours
this year.

Anything outside the login's reach for the page's permission answers 404.
"""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.accounts.decorators import perm_required
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope, scoped
from gongzhi.areas.selectors import with_places
from gongzhi.areas.tree import is_within
from gongzhi.core.errors import DomainError
from gongzhi.core.forms import add_domain_error

from .. import selectors
from ..models import KIND_PLACE, Organization, OrgKind, PartyRegistration
from ..models import RegistrationStatus as Status
from ..services import organizations, registrations, reports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _areas(request, perm: str, kinds=(Kind.COMMUNITY,)):
    return scoped(
        Area.objects.filter(kind__in=kinds, retired_at__isnull=True),
        user=request.user,
        via="",
        perm=perm,
    ).order_by("path")


def _chosen(request, places: list[Area], key: str = "area") -> Area | None:
    return next((a for a in places if str(a.pk) == request.GET.get(key)), None)


@perm_required(Perm.ORG_VIEW)
def orgs_home(request):
    """Organizations and agreements in reach, community by community, and
    the estates whose service chain can be opened."""
    orgs = list(selectors.org_list(user=request.user)[:500])
    communities = list(_areas(request, Perm.ORG_VIEW))
    chosen = _chosen(request, communities, "community")
    if chosen:
        orgs = [o for o in orgs if is_within(o.area.path, chosen.path)]
    agreements = []
    for community in [chosen] if chosen else communities:
        agreements.extend(selectors.agreements_in(community)[:200])
    estates = _areas(request, Perm.ORG_VIEW, (Kind.ESTATE,))
    if chosen:
        estates = estates.filter(path__within=chosen.path)
    context = {
        "orgs": with_places(orgs),
        "agreements": agreements,
        "estates": estates[:300],
        "communities": communities,
        "chosen": chosen,
        "today": timezone.localdate(),
        "may_manage": _areas(request, Perm.ORG_MANAGE).exists(),
    }
    return render(request, "orgs/workbench/home.html", context)


class OrgForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=OrgKind.choices)
    area = forms.ModelChoiceField(
        label=gettext_lazy("Community or estate"),
        queryset=Area.objects.none(),
        help_text=gettext_lazy(
            "A Party committee, co-building unit or social organization "
            "belongs to a community; a Party branch, homeowners' committee or "
            "property company to an estate."
        ),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    parent = forms.ModelChoiceField(
        label=gettext_lazy("Parent organization"),
        queryset=Organization.objects.none(),
        required=False,
    )
    contact_name = forms.CharField(
        label=gettext_lazy("Contact person"), max_length=100, required=False
    )
    contact_phone = forms.CharField(
        label=gettext_lazy("Contact phone"), max_length=40, required=False
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea, required=False
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        places = _areas(request, Perm.ORG_MANAGE, (Kind.COMMUNITY, Kind.ESTATE))
        self.fields["area"].queryset = places
        self.fields["area"].label_from_instance = lambda a: (
            a.name if a.kind == Kind.COMMUNITY else f"— {a.name}"
        )
        self.fields["parent"].queryset = selectors.org_list(
            user=request.user, perm=Perm.ORG_MANAGE
        ).filter(kind__in=(OrgKind.PARTY_COMMITTEE, OrgKind.PARTY_BRANCH))


@perm_required(Perm.ORG_MANAGE)
def org_new(request):
    """Record an organization of a community or an estate."""
    form = OrgForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            org = organizations.org_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(name)s recorded.") % {"name": org.name})
            if KIND_PLACE[org.kind] == Kind.ESTATE:
                return redirect("orgs:chain", area_id=org.area_id)
            return redirect("orgs:home")
    return render(request, "orgs/workbench/org_new.html", {"form": form})


class AgreementForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Co-building unit"), queryset=Organization.objects.none()
    )
    signed_on = forms.DateField(
        label=gettext_lazy("Signed on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Ends on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    commitments = forms.CharField(
        label=gettext_lazy("Commitments"),
        widget=forms.Textarea,
        help_text=gettext_lazy(
            "What the unit undertakes: services, resources, people, how often."
        ),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.org_list(
            user=request.user, perm=Perm.ORG_MANAGE
        ).filter(kind=OrgKind.CO_BUILDING)


@perm_required(Perm.ORG_MANAGE)
def agreement_new(request):
    """Record a co-building unit's agreement with its community."""
    form = AgreementForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            organizations.agreement_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Agreement recorded."))
            return redirect("orgs:home")
    return render(request, "orgs/workbench/agreement_new.html", {"form": form})


@perm_required(Perm.ORG_VIEW)
def chain_page(request, area_id: int):
    """An estate's five-level service chain."""
    estate = get_object_or_404(
        Area.objects.filter(kind=Kind.ESTATE, retired_at__isnull=True), pk=area_id
    )
    if not in_scope(request.user, estate, Perm.ORG_VIEW):
        raise Http404
    context = {
        "estate": estate,
        "levels": selectors.chain(estate),
        "may_manage": in_scope(request.user, estate, Perm.ORG_MANAGE),
    }
    return render(request, "orgs/workbench/chain.html", context)


def _pool_scope(request, *, strict: bool = False):
    """The places the pool pages offer (streets, communities and grids in
    reach), the one chosen (the first community by default) and the period
    (this year so far by default). ``strict``: a place asked for outside
    reach answers 404 rather than the default, as an export must not
    quietly report another place."""
    today = timezone.localdate()
    places = list(
        _areas(request, Perm.ORG_VIEW, (Kind.STREET, Kind.COMMUNITY, Kind.GRID))
    )
    area = _chosen(request, places)
    if area is None and strict and request.GET.get("area"):
        raise Http404
    if area is None and places:
        area = next((a for a in places if a.kind == Kind.COMMUNITY), places[0])
    start = _date(request.GET.get("start"), today.replace(month=1, day=1))
    end = _date(request.GET.get("end"), today)
    error = ""
    if end < start:
        error, start, end = _("The end must come after the start."), end, start
    return places, area, start, end, error


@perm_required(Perm.ORG_VIEW)
def pool_page(request):
    """双报到: registrations awaiting confirmation, and the confirmed
    members with their service hours this year (or a chosen period)."""
    places, area, start, end, error = _pool_scope(request)
    waiting, rows, others = [], [], []
    if area is not None:
        waiting = list(selectors.registrations_in(area, status=Status.REGISTERED))
        rows = selectors.pool(area, start=start, end=end)
        others = list(
            selectors.registrations_in(area).filter(
                status__in=(Status.DECLINED, Status.ENDED)
            )[:50]
        )
    for registration in waiting:
        registration.may_decide = registrations.may_decide(request.user, registration)
    context = {
        "places": places,
        "area": area,
        "start": start,
        "end": end,
        "error": error,
        "waiting": waiting,
        "rows": rows,
        "others": others,
        "hours": sum(row["hours"] for row in rows),
    }
    return render(request, "orgs/workbench/pool.html", context)


@perm_required(Perm.ORG_VIEW)
def pool_by_unit_page(request):
    """按工作单位反馈: the confirmed members grouped by work unit with each
    one's sessions and hours in the period, for reporting back to the
    units; the same as an Excel workbook, a sheet per unit."""
    places, area, start, end, error = _pool_scope(request, strict=True)
    units = (
        selectors.pool_by_unit(area, start=start, end=end) if area is not None else []
    )
    context = {
        "places": places,
        "area": area,
        "start": start,
        "end": end,
        "error": error,
        "units": units,
        "members": sum(len(unit.rows) for unit in units),
        "sessions": sum(unit.sessions for unit in units),
        "hours": sum(unit.hours for unit in units),
        "query": urlencode(
            {"area": area.pk if area else "", "start": start, "end": end}
        ),
    }
    return render(request, "orgs/workbench/pool_by_unit.html", context)


@perm_required(Perm.ORG_VIEW)
def pool_report(request):
    """The report by work unit as an Excel workbook (党员双报到服务情况反馈表)."""
    _places, area, start, end, _error = _pool_scope(request, strict=True)
    if area is None:
        raise Http404
    out = io.BytesIO()
    reports.pool_report_write(
        area=area, start=start, end=end, by=request.user, out=out, request=request
    )
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        True, reports.pool_report_filename(area, start, end)
    )
    return response


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return default


@perm_required(Perm.ORG_VIEW)
@require_POST
def registration_decide(request, registration_id: int):
    found = get_object_or_404(
        PartyRegistration.objects.select_related("person", "community"),
        pk=registration_id,
    )
    if not registrations.may_decide(request.user, found):
        raise Http404
    action = "confirm" if request.POST.get("approve") == "1" else "decline"
    try:
        done = registrations.registration_transition(
            registration=found,
            action=action,
            by=request.user,
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        messages.error(request, f"{found.person.name}：{exc.message}")
    else:
        text = (
            _("%(name)s confirmed as a registered party member.")
            if done.status == Status.CONFIRMED
            else _("The registration of %(name)s is declined.")
        )
        messages.success(request, text % {"name": found.person.name})
    back = reverse("orgs:pool")
    if request.POST.get("area", "").isdigit():
        back += "?area=" + request.POST["area"]
    return redirect(back)
