"""GeoReport v2's two output formats and its error documents.

JSON follows the specification's examples: a list of objects (one object
for a service definition and the discovery file). XML is the same tree:
each key an element, a list a wrapper element whose items take the
singular name the specification gives them (``services``/``service``,
``service_requests``/``request`` …), ``true``/``false`` for booleans and
an empty element for a missing value.
"""

from __future__ import annotations

import json
from decimal import Decimal
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = ("json", "xml")
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# A list's items, by the name of the list.
ITEM = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(parent: ET.Element | None, tag: str, value) -> ET.Element:
    element = ET.Element(tag) if parent is None else ET.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, item in value.items():
            _element(element, key, item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _element(element, ITEM[tag], item)
    else:
        element.text = _text(value)
    return element


def xml_bytes(root: str, data) -> bytes:
    """``data`` as an XML document under ``root``, UTF-8 with the
    declaration."""
    body = ET.tostring(_element(None, root, data), encoding="unicode")
    return (XML_DECLARATION + body).encode()


def _json_default(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def json_bytes(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=_json_default).encode()


def document(data, *, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """A response in ``fmt`` (``json`` or ``xml``); ``root`` names the XML
    root element."""
    body = xml_bytes(root, data) if fmt == "xml" else json_bytes(data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(descriptions, *, fmt: str, status: int) -> HttpResponse:
    """The specification's error document: one ``error`` per description,
    each with the HTTP status as its code."""
    items = [{"code": status, "description": str(text)} for text in descriptions]
    return document(items, fmt=fmt, root="errors", status=status)
