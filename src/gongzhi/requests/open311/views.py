"""The Open311 GeoReport v2 endpoints (see the package's docstring).

Each view parses the query or the form, calls a lookup or the core's
``request_raise``, and renders the document in the format the URL ends
with. A refusal renders the specification's error document: 403 for a
missing or wrong api_key, 404 for what does not exist (a jurisdiction, a
service, a request), 400 for any other bad input, its description naming
the parameter. A refused POST writes nothing.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from functools import wraps

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gongzhi.accounts.services import token_authenticate
from gongzhi.areas.scoping import subtree_q
from gongzhi.core.errors import DomainError, fields_renamed

from .. import selectors, services
from ..states import Channel
from . import lookups, render
from .attributes import attributes_clean, definition, notice

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
SPAN = dt.timedelta(days=90)
REQUESTS_MAX = 1000
# The core's field names as Open311 calls them.
FIELDS = {
    "category": "service_code",
    "latitude": "lat",
    "longitude": "long",
    "address": "address_string",
    "contact_name": "first_name",
    "contact_phone": "phone",
    "photos": "media",
}


class Refused(Exception):
    """An error document to answer with."""

    def __init__(self, status: int, message, *, field: str | None = None):
        self.status = status
        self.description = described(message, field)
        super().__init__(self.description)


def described(message, field: str | None) -> str:
    if not field:
        return str(message)
    return _("%(field)s: %(message)s") % {"field": field, "message": message}


def endpoint(*methods: str):
    """A view answering ``methods`` in the URL's format, its refusals (and
    the core's) as error documents. CSRF does not apply: a POST carries
    its api_key, never a session."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, fmt: str, **kwargs):
            try:
                if request.method not in methods:
                    raise Refused(
                        400,
                        _("Use %(methods)s here.") % {"methods": " or ".join(methods)},
                    )
                return view(request, *args, fmt=fmt, **kwargs)
            except Refused as exc:
                return render.errors([exc.description], fmt=fmt, status=exc.status)
            except Http404:
                return render.errors([_("Not found.")], fmt=fmt, status=404)
            except DomainError as exc:
                status = 403 if exc.status_code == 403 else 400
                return render.errors(
                    [described(exc.message, exc.field)], fmt=fmt, status=status
                )

        return wrapper

    return decorate


def _param(request, name: str) -> str:
    """A parameter from the form or the query string; an empty one is as
    one not sent."""
    value = request.POST.get(name) if request.method == "POST" else None
    return (value or request.GET.get(name) or "").strip()


def _key_holder(request, *, required: bool):
    raw = _param(request, "api_key")
    if not raw:
        if required:
            raise Refused(403, _("An api_key is required."), field="api_key")
        return None
    user = token_authenticate(raw)
    if user is None:
        raise Refused(403, _("Invalid, expired or revoked key."), field="api_key")
    return user


def _jurisdiction(request):
    value = _param(request, "jurisdiction_id")
    if not value:
        return None
    found = lookups.jurisdiction_get(value)
    if found is None:
        raise Refused(404, _("No such jurisdiction."), field="jurisdiction_id")
    return found


def w3c(moment: dt.datetime | None) -> str | None:
    """ISO 8601 with the local offset: 2026-11-23T10:15:30+08:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _moment(request, name: str) -> dt.datetime | None:
    # An unescaped "+08:00" in a query string arrives as " 08:00".
    value = _param(request, name).replace(" ", "+")
    if not value:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = dt.datetime.combine(day, dt.time()) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise Refused(
            400,
            _("Use a W3C date and time, e.g. 2026-11-23T09:00:00+08:00."),
            field=name,
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _list(request, name: str) -> list[str]:
    return [v.strip() for v in _param(request, name).split(",") if v.strip()]


# Discovery and services


@endpoint("GET")
def discovery(request, fmt: str):
    changed = (
        max((c.created_at for c in lookups.services(None)), default=None)
        or timezone.now()
    )
    changeset = timezone.localtime(changed).strftime("%Y-%m-%d %H:%M")
    return render.document(
        {
            "changeset": changeset,
            "contact": _("Ask the community office that runs this service."),
            "key_service": _(
                "An api_key is an API token (POST /api/v1/auth/token) of an "
                "account that may raise requests where it reports."
            ),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": request.build_absolute_uri(reverse("open311:root")),
                    "changeset": changeset,
                    "type": "production",
                    "formats": [
                        render.CONTENT_TYPES["xml"].split(";")[0],
                        render.CONTENT_TYPES["json"].split(";")[0],
                    ],
                }
            ],
        },
        fmt=fmt,
        root="discovery",
    )


def _service(category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": bool(definition(category)["attributes"]),
        "type": "realtime",
        "keywords": None,
        "group": category.get_urgency_display(),
    }


@endpoint("GET")
def service_list(request, fmt: str):
    jurisdiction = _jurisdiction(request)
    items = [_service(c) for c in lookups.services(jurisdiction)]
    return render.document(items, fmt=fmt, root="services")


@endpoint("GET")
def service_definition(request, code: str, fmt: str):
    category = lookups.service_get(code, _jurisdiction(request))
    if category is None:
        raise Refused(404, _("No such service."), field="service_code")
    return render.document(definition(category), fmt=fmt, root="service_definition")


# Requests


def _request_doc(item, place: tuple[int, str], request) -> dict:
    closed = item.status in lookups.CLOSED
    assignee = item.assignee
    photos = getattr(item, "report_photos", [])
    media = None
    if item.public and photos:
        media = request.build_absolute_uri(
            reverse("open311:media", kwargs={"number": item.number})
        )
    return {
        "service_request_id": item.number,
        "status": "closed" if closed else "open",
        "status_notes": item.get_status_display(),
        "service_name": item.category.name,
        "service_code": item.category.code,
        "description": item.description,
        "agency_responsible": str(assignee) if assignee is not None else None,
        "service_notice": notice(item.category),
        "requested_datetime": w3c(item.created_at),
        "updated_datetime": w3c(
            item.closed_at if closed and item.closed_at else item.updated_at
        ),
        "expected_datetime": w3c(item.resolve_due),
        "address": place[1] or None,
        "address_id": place[0],
        "zipcode": None,
        "lat": item.latitude,
        "long": item.longitude,
        "media_url": media,
    }


def _requests_doc(items, request, fmt: str):
    items = list(items)
    places = lookups.addresses(item.area for item in items)
    docs = [_request_doc(item, places[item.area_id], request) for item in items]
    return render.document(docs, fmt=fmt, root="service_requests")


def _filtered(request, items):
    numbers = _list(request, "service_request_id")
    if numbers:  # overrides every other filter
        return items.filter(number__in=numbers[:REQUESTS_MAX])
    codes = _list(request, "service_code")
    if codes:
        items = items.filter(category__code__in=codes)
    start, end = _moment(request, "start_date"), _moment(request, "end_date")
    if start and end and end < start:
        raise Refused(400, _("The end is before the start."), field="end_date")
    if start and end and end - start > SPAN:
        raise Refused(
            400, _("The range may not span more than 90 days."), field="end_date"
        )
    if start is None and end is None:
        end = timezone.now()
    start = start or end - SPAN
    end = end or start + SPAN
    items = items.filter(created_at__gte=start, created_at__lte=end)
    statuses = set(_list(request, "status"))
    if statuses - {"open", "closed"}:
        raise Refused(400, _("Use open, closed or both."), field="status")
    if statuses == {"open"}:
        items = items.exclude(status__in=lookups.CLOSED)
    elif statuses == {"closed"}:
        items = items.filter(status__in=lookups.CLOSED)
    return items


@endpoint("GET", "POST")
def requests(request, fmt: str):
    if request.method == "POST":
        return _raise(request, fmt)
    key_holder = _key_holder(request, required=False)
    jurisdiction = _jurisdiction(request)
    items = lookups.requests_visible(key_holder=key_holder)
    if jurisdiction is not None:
        items = items.filter(subtree_q([jurisdiction.path], field="area__path"))
    items = _filtered(request, items).order_by("-created_at", "-pk")
    return _requests_doc(items[:REQUESTS_MAX], request, fmt)


def _one(request, number: str):
    key_holder = _key_holder(request, required=False)
    items = lookups.requests_visible(key_holder=key_holder).filter(number=number)
    jurisdiction = _jurisdiction(request)
    if jurisdiction is not None:
        items = items.filter(subtree_q([jurisdiction.path], field="area__path"))
    found = items.first()
    if found is None:
        raise Refused(404, _("No such request."), field="service_request_id")
    return found


@endpoint("GET")
def request_detail(request, number: str, fmt: str):
    return _requests_doc([_one(request, number)], request, fmt)


@endpoint("GET")
def token(request, token: str, fmt: str):
    # Requests get their id at once (type realtime): a token is the id.
    try:
        found = _one(request, token)
    except Refused:
        raise Refused(404, _("No such token."), field="token") from None
    items = [{"service_request_id": found.number, "token": token}]
    return render.document(items, fmt=fmt, root="service_requests")


@endpoint("GET")
def unknown(request, fmt: str, **kwargs):
    raise Refused(404, _("Not found."))


def media(request, number: str):
    """The first photo of a public request, as reported."""
    item = lookups.requests_visible(key_holder=None).filter(number=number).first()
    photos = getattr(item, "report_photos", None)
    if not photos:
        raise Http404
    photo = photos[0]
    kind = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
    return FileResponse(photo.image.open("rb"), content_type=kind)


# Raising


def _location(request, paths, jurisdiction):
    """The place the POST names and the parameter that named it."""
    lat, long = _param(request, "lat"), _param(request, "long")
    if bool(lat) != bool(long):
        raise Refused(
            400, _("Send lat and long together."), field="long" if lat else "lat"
        )
    address_id = _param(request, "address_id")
    address = _param(request, "address_string")
    if address_id:
        area = lookups.place_by_id(address_id, paths=paths, jurisdiction=jurisdiction)
        if area is None:
            raise Refused(400, _("No such place in your area."), field="address_id")
        return area, "address_id"
    if address:
        found = lookups.places_named(address, paths=paths, jurisdiction=jurisdiction)
        if not found:
            raise Refused(
                400,
                _("No place in your area has this name."),
                field="address_string",
            )
        if len(found) > 1:
            raise Refused(
                400,
                _("Several places have this name; add the estate or community."),
                field="address_string",
            )
        return found[0], "address_string"
    if lat:
        area = lookups.only_place(paths=paths, jurisdiction=jurisdiction)
        if area is None:
            raise Refused(
                400,
                _(
                    "Places here are not mapped; send address_string or "
                    "address_id with lat and long."
                ),
                field="lat",
            )
        return area, "lat"
    raise Refused(
        400,
        _("Send lat and long, address_string or address_id."),
        field="address_string",
    )


def _contact_name(first: str, last: str) -> str:
    if not first or not last:
        return first or last
    if all(ord(ch) > 0x2E80 for ch in first + last):  # 周 桂兰 → 周桂兰
        return last + first
    return f"{first} {last}"


def _description(request) -> str:
    text = _param(request, "description")
    link = _param(request, "media_url")
    if link:
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            raise Refused(400, _("Enter a valid URL."), field="media_url") from None
        # The core keeps photos, not links: the link goes with the words.
        if text:
            text = f"{text}\n{link}"
    return text


def _raise(request, fmt: str):
    key_holder = _key_holder(request, required=True)
    paths = lookups.raise_paths(key_holder)
    if not paths:
        raise Refused(403, _("This key may not submit requests."), field="api_key")
    jurisdiction = _jurisdiction(request)
    code = _param(request, "service_code")
    if not code:
        raise Refused(400, _("This field is required."), field="service_code")
    if not lookups.service_known(code):
        raise Refused(404, _("No such service."), field="service_code")
    area, named_by = _location(request, paths, jurisdiction)
    category = selectors.category_for_code(code, area)
    if category is None:
        raise Refused(
            400, _("This service is not offered at this place."), field="service_code"
        )
    with fields_renamed(**FIELDS, area=named_by):
        attributes = attributes_clean(request.POST, category)
        item = services.request_raise(
            category=category,
            area=area,
            description=_description(request),
            by=key_holder,
            channel=Channel.OPEN311,
            public=attributes.get("public") == "true",
            address=_param(request, "address_string"),
            latitude=_param(request, "lat") or None,
            longitude=_param(request, "long") or None,
            contact_name=_contact_name(
                _param(request, "first_name"), _param(request, "last_name")
            ),
            contact_phone=_param(request, "phone"),
            photos=request.FILES.getlist("media"),
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
    items = [
        {
            "service_request_id": item.number,
            "service_notice": notice(category),
            "account_id": None,
        }
    ]
    # 200, not 201: the specification names no status, and clients check
    # for 200.
    return render.document(items, fmt=fmt, root="service_requests")
