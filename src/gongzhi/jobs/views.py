import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.decorators import perm_required
from gongzhi.accounts.roles import Perm
from gongzhi.core.errors import DomainError

from .selectors import (
    failure_count,
    failure_list,
    job_get,
    job_status_get,
    schedule_overview,
    traceback_summary,
)
from .services import job_retry


def _job_id(pk: str) -> uuid.UUID:
    """A job's id from the address; anything else is no job at all."""
    try:
        return uuid.UUID(pk)
    except ValueError:
        raise Http404 from None


@perm_required(Perm.JOBS_MANAGE)
def schedule_page(request):
    return render(
        request,
        "jobs/schedule.html",
        {"jobs": schedule_overview(), "failures": failure_count()},
    )


@perm_required(Perm.JOBS_MANAGE)
def failures_page(request):
    failures = list(failure_list())
    for job in failures:
        job.summary = traceback_summary(job.last_traceback)
    return render(request, "jobs/failures.html", {"failures": failures})


@perm_required(Perm.JOBS_MANAGE)
@require_POST
def failure_retry(request, pk):
    try:
        job_retry(pk=job_get(pk=_job_id(pk)).pk, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The job is queued again."))
    return redirect("jobs:failures")


@login_required
def job_status(request, pk):
    """How far one's own job is: the page an htmx element polls every
    second until it has finished."""
    job = job_status_get(user=request.user, pk=_job_id(pk))
    return render(request, "jobs/_status.html", {"job": job})
