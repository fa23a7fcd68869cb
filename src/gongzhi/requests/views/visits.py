"""转为诉求: a need found on a care visit (入户走访) becomes a request,
raised by the worker at the visited household for the person visited,
through the care-visit channel; the visit then shows its tracking number.

The visit is read where the login sees personal data (the residents app's
rule) and the request raised where she holds request.raise; anywhere else
answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongzhi.accounts.decorators import perm_required
from gongzhi.accounts.roles import Perm
from gongzhi.core.errors import DomainError, NotAllowed
from gongzhi.core.forms import add_domain_error
from gongzhi.residents.selectors.care import visit_get

from .. import services
from ..states import Channel
from ..visits import may_raise_from, visit_raise_form
from .workbench import _nav


@perm_required(Perm.REQUEST_RAISE)
def visit_raise(request, visit_id: int):
    """The form on its own page (GET), or raising from it (POST): back to
    the visit, which shows the tracking number."""
    visit = visit_get(user=request.user, pk=visit_id)
    if not may_raise_from(request.user, visit):
        raise Http404
    if visit.service_request_id:
        return redirect("residents:visit", visit_id=visit.pk)
    posted = request.method == "POST"
    form = visit_raise_form(visit, request.POST if posted else None)
    if posted and form.is_valid():
        try:
            made = services.request_raise(
                category=form.cleaned_data["category"],
                area=visit.household,
                description=form.cleaned_data["description"],
                by=request.user,
                reporter=visit.person,
                channel=Channel.CARE_VISIT,
                visit=visit,
            )
        except NotAllowed:
            raise Http404 from None
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Raised. Its tracking number is %(number)s.")
                % {"number": made.number},
            )
            return redirect("residents:visit", visit_id=visit.pk)
    context = {**_nav(request), "visit": visit, "form": form}
    return render(
        request,
        "requests/visit/raise.html",
        context,
        status=400 if posted else 200,
    )
