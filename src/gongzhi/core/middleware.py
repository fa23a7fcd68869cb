"""One gate for every request: text with control characters, and ids in
the path or numbers in a JSON body beyond 64 bits, are refused before any
view sees them, with the usual
``{"detail", "field"}`` answer on the API and a 400 page elsewhere, and
nothing is written."""

from __future__ import annotations

import inspect
import json
from xml.sax.saxutils import escape

from django import forms
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve

from .cleaning import (
    CONTROL_CHARACTERS,
    input_check,
    looks_like_huge_integer,
    refuse_control_characters,
    refuse_huge_integer,
)
from .errors import ValidationFailed

MACHINE_PREFIXES = ("/api/", "/open311/")
OPEN311_PREFIX = "/open311/"


def _open311_error(request, exc: ValidationFailed) -> HttpResponse:
    """GeoReport v2's own error document, in the format the URL ends with."""
    description = f"{exc.field}: {exc.message}" if exc.field else str(exc.message)
    if request.path.endswith(".xml"):
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n<errors><error>'
            f"<code>400</code><description>{escape(description)}</description>"
            "</error></errors>"
        )
        return HttpResponse(body, status=400, content_type="text/xml; charset=utf-8")
    return JsonResponse(
        [{"code": 400, "description": description}], status=400, safe=False
    )


# The JSON API's integer query parameters, by the names its conventions give
# them (OpenAPI types them as integers). Elsewhere a long run of digits in a
# query or a form may be text: a household's civil-affairs code has 20, and
# Open311's jurisdiction_id carries it.
API_INTEGER_PARAMETERS = frozenset({"limit", "offset", "page", "year", "min_sample"})


def _is_api_integer(name: str) -> bool:
    return name in API_INTEGER_PARAMETERS or name.endswith("_id")


def _printable(name: str) -> str:
    """A field's name fit to echo back (in XML, a NUL is not allowed)."""
    return "".join("?" if c in CONTROL_CHARACTERS else c for c in name)


def _check_pairs(pairs, *, numbers=None) -> None:
    for name, values in pairs:
        refuse_control_characters(name, field=_printable(name))
        for value in values:
            refuse_control_characters(value, field=name)
            if numbers and numbers(name) and looks_like_huge_integer(value):
                refuse_huge_integer(int(value), field=name)


def _check_path(path: str) -> None:
    for segment in path.split("/"):
        refuse_control_characters(segment, field="path")
        if looks_like_huge_integer(segment):
            raise ValidationFailed(field="path")


def _check_json(request) -> None:
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return  # the endpoint answers malformed JSON itself
    input_check(data, field=None)


def request_check(request) -> None:
    _check_path(request.path)
    api = request.path.startswith("/api/")
    _check_pairs(request.GET.lists(), numbers=_is_api_integer if api else None)
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.content_type == "application/json":
            _check_json(request)
        elif request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            _check_pairs(request.POST.lists())


def _form_classes(base=forms.BaseForm):
    for form in base.__subclasses__():
        yield form
        yield from _form_classes(form)


def _labels(forms_, name: str) -> set[str]:
    return {
        str(field.label)
        for form in forms_
        if (field := form.base_fields.get(name)) is not None and field.label
    }


def field_label(request, name: str | None) -> str | None:
    """The label a person saw for the field ``name``: the one the forms the
    addressed view names give it, else the one all forms of its app agree
    on; else None, and the page speaks of "a field" rather than echo an
    HTML name."""
    if not name:
        return None
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return None
    view = inspect.unwrap(view)  # past login_required and the like
    app = ".".join(getattr(view, "__module__", "").split(".")[:2]) + "."
    in_app = [f for f in _form_classes() if f.__module__.startswith(app)]
    code = getattr(view, "__code__", None)
    named = set(code.co_names) if code else set()
    for candidates in ([f for f in in_app if f.__name__ in named], in_app):
        labels = _labels(candidates, name)
        if len(labels) == 1:
            return labels.pop()
    return None


class InputGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request_check(request)
        except ValidationFailed as exc:
            if request.path.startswith(OPEN311_PREFIX):
                return _open311_error(request, exc)
            if request.path.startswith(MACHINE_PREFIXES):
                return JsonResponse(exc.as_dict(), status=400)
            return render(
                request,
                "400.html",
                {"detail": exc.message, "label": field_label(request, exc.field)},
                status=400,
            )
        return self.get_response(request)
