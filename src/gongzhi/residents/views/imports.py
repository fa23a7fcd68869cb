"""Excel in and out of the registry: the import template, the import page
with its error report, and the export of the filtered list."""

from __future__ import annotations

import tempfile

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.decorators import perm_required
from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area
from gongzhi.areas.scoping import scope_paths, scoped
from gongzhi.core.errors import DomainError, NotAllowed
from gongzhi.core.forms import add_domain_error

from ..forms import PeopleFilterForm
from ..selectors.people import people_search
from ..services import exports, imports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS_SHOWN = 300


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        help_text=gettext_lazy("The filled-in template; at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


def _area(request, perm: str) -> Area | None:
    """The node named by ``?area=``, which must lie where the user holds
    ``perm``: anywhere else answers 404, as if it did not exist."""
    raw = request.GET.get("area")
    if not raw:
        return None
    try:
        pk = int(raw)
    except ValueError:
        raise Http404 from None
    area = scoped(Area.objects.all(), user=request.user, via="", perm=perm)
    area = area.filter(pk=pk).first()
    if area is None:
        raise Http404
    return area


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _roots(request, area: Area | None) -> list[Area]:
    if area is not None:
        return [area]
    paths = scope_paths(request.user, Perm.RESIDENT_IMPORT)
    return list(Area.objects.filter(path__in=paths).order_by("path"))


def import_upload(
    request,
    *,
    context: dict,
    run,
    success,
    template: str,
    sheet_title: str = imports.SHEET_TITLE,
):
    """An import page: on a POST, the uploaded file goes to ``run(upload)``
    (an all-or-nothing import); rows with errors show with their stored
    error report, a refused file on the form, a success as ``success(the
    summary)`` after a redirect. ``context`` holds the page's own values."""
    posted = request.method == "POST"
    form = ImportForm(request.POST, request.FILES) if posted else ImportForm()
    context["form"] = form
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = run(upload)
        except imports.ImportRejected as exc:
            report = imports.import_report_build(
                file=upload, errors=exc.errors, sheet_title=sheet_title
            )
            context.update(
                rejected=exc,
                errors=exc.errors[:ERRORS_SHOWN],
                hidden=max(0, len(exc.errors) - ERRORS_SHOWN),
                report=imports.import_report_store(data=report, by=request.user),
                filename=upload.name,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, success(summary))
            return redirect(request.get_full_path())
    failed = posted and (form.errors or "rejected" in context)
    return render(request, template, context, status=400 if failed else 200)


@perm_required(Perm.RESIDENT_IMPORT)
def import_page(request):
    area = _area(request, Perm.RESIDENT_IMPORT)
    context = {
        "area": area,
        "roots": _roots(request, area),
        "max_rows": f"{imports.MAX_ROWS:,}",
        "max_mb": imports.MAX_FILE_BYTES // (1024 * 1024),
        "columns": imports.COLUMNS,
    }
    return import_upload(
        request,
        context=context,
        run=lambda upload: imports.people_import(
            file=upload,
            by=request.user,
            area=area,
            request=request,
            filename=upload.name,
        ),
        success=lambda summary: (
            _(
                "Imported %(people)d people in %(households)d households "
                "(%(tags)d key-population tags)."
            )
            % {
                "people": summary.people,
                "households": summary.households,
                "tags": summary.tags,
            }
        ),
        template="residents/imports/import.html",
    )


@perm_required(Perm.RESIDENT_IMPORT)
def import_template(request):
    area = _area(request, Perm.RESIDENT_IMPORT)
    data = imports.import_template_build(by=request.user, area=area)
    return _xlsx(data, "居民导入模板.xlsx")


@perm_required(Perm.RESIDENT_IMPORT)
def import_report(request, token: str):
    """The error report of the user's own last rejected uploads (kept
    half an hour); anyone else's token is not found."""
    data = imports.import_report_get(token=token, by=request.user)
    if data is None:
        raise Http404
    return _xlsx(data, "居民导入_错误报告.xlsx")


class ExportReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why are the full numbers needed?"),
        max_length=exports.REASON_MAX,
        error_messages={
            "required": gettext_lazy(
                "Say why the full ID and phone numbers are needed."
            )
        },
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("e.g. 低保年审, sent to the street")}
        ),
    )


def _export_reason(request, filters) -> tuple[str, object]:
    """The reason given for a full export, or the page that asks for it.
    A full export is a POST from that page: a link alone never starts one."""
    if not exports.export_full_allowed(user=request.user, area=filters.area):
        raise Http404
    form = ExportReasonForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        return form.cleaned_data["reason"], None
    context = {
        "form": form,
        "area": filters.area,
        "rows": people_search(user=request.user, filters=filters).count(),
        "back": _list_url(request),
    }
    status = 400 if form.is_bound else 200
    page = render(request, "residents/imports/export_full.html", context, status=status)
    return "", page


@perm_required(Perm.PERSONAL_VIEW)
def people_export(request):
    """The registry list with the list page's filters, as .xlsx: masked,
    or with ``?full=1`` full values for those allowed, once they said why
    (posted from the page that asks); audited either way."""
    _area(request, Perm.PERSONAL_VIEW)  # 404 for a place out of scope
    form = PeopleFilterForm(request.GET, user=request.user)
    filters = form.filters()
    full = request.GET.get("full") == "1"
    reason = ""
    if full:
        reason, page = _export_reason(request, filters)
        if page is not None:
            return page
    elif request.method != "GET":
        raise Http404
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    try:
        exports.people_export(
            by=request.user,
            filters=filters,
            out=out,
            full=full,
            reason=reason,
            request=request,
        )
    except NotAllowed:
        out.close()
        raise Http404 from None
    except DomainError as exc:
        out.close()
        messages.error(request, str(exc.message))
        return redirect(_list_url(request))
    out.seek(0)
    return FileResponse(
        out,
        as_attachment=True,
        filename=exports.export_filename(),
        content_type=XLSX,
    )


def _list_url(request) -> str:
    try:
        base = reverse("residents:people")
    except NoReverseMatch:
        base = reverse("web:workbench")
    query = request.GET.copy()
    query.pop("full", None)
    return f"{base}?{query.urlencode()}" if query else base


urlpatterns = [
    path("import/", import_page, name="import"),
    path("import/template.xlsx", import_template, name="import_template"),
    path(
        "import/report/<str:token>.xlsx",
        import_report,
        name="import_report",
    ),
    path("people/export.xlsx", people_export, name="people_export"),
]
