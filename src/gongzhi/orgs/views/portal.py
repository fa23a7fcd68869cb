"""双报到 on a resident's phone: a party member registers at the community
she lives in with her work unit and follows the community's decision."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.errors import DomainError
from gongzhi.core.forms import add_domain_error
from gongzhi.residents.homes import current_community

from .. import selectors
from ..models import RegistrationStatus as Status
from ..service_hours import service_record
from ..services import registrations


class RegisterForm(forms.Form):
    work_unit = forms.CharField(
        label=gettext_lazy("Work unit"),
        max_length=200,
        help_text=gettext_lazy(
            "The unit whose Party organization you belong to, e.g. 和平区教育局."
        ),
    )


@login_required
def portal_party(request):
    """Her registration and its status; the form when she has none open.
    Confirmed, she sees her service hours this year, as reported to her
    unit."""
    person = getattr(request.user, "person", None)
    if person is None:
        return render(request, "orgs/portal/unlinked.html")
    mine = selectors.registration_of(person)
    open_ = mine is not None and mine.status in (Status.REGISTERED, Status.CONFIRMED)
    form = None
    if not open_:
        form = RegisterForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                registrations.registration_create(
                    person=person,
                    work_unit=form.cleaned_data["work_unit"],
                    by=request.user,
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Registered. The community will confirm it soon."),
                )
                return redirect("orgs:portal_party")
    today = timezone.localdate()
    record = None
    if mine is not None and mine.status == Status.CONFIRMED:
        record = service_record(person, start=today.replace(month=1, day=1), end=today)
    context = {
        "mine": mine,
        "open": open_,
        "form": form,
        "record": record,
        "community": current_community(person),
        # Her registration's steps; staff appear by what they did, unnamed.
        "steps": registrations.FLOW.timeline(mine, names=False) if mine else [],
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "orgs/portal/party.html", context, status=status)
