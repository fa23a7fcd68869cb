"""A service's definition: what a request in the category takes beyond
the standard fields, and the POSTed ``attribute[code]=value`` checked
against it.

Every category asks one thing the standard fields do not carry: whether
the report may be shown publicly (``public``, false unless sent: a
resident's words stay hers unless she lets them be shown). A second,
informational attribute (``variable`` false) tells the category's
deadlines, the way the specification lets a definition present text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gongzhi.core.errors import ValidationFailed

from ..models import Category

DATATYPES = (
    "string",
    "number",
    "datetime",
    "text",
    "singlevaluelist",
    "multivaluelist",
)
LISTS = ("singlevaluelist", "multivaluelist")
VALUE_MAX = 500


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    description: str
    order: int
    required: bool = False
    variable: bool = True
    datatype_description: str = ""
    values: tuple = field(default_factory=tuple)  # (key, name) pairs

    def as_dict(self) -> dict:
        return {
            "variable": self.variable,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": self.datatype_description or None,
            "order": self.order,
            "description": self.description,
            "values": [{"key": key, "name": name} for key, name in self.values],
        }


def notice(category: Category) -> str:
    """The service notice: what the category promises."""
    return _(
        "The community responds within %(response)d hours of dispatch and "
        "resolves it within %(resolve)d hours."
    ) % {"response": category.response_hours, "resolve": category.resolve_hours}


def attributes_for(category: Category) -> list[Attribute]:
    return [
        Attribute(
            code="public",
            datatype="singlevaluelist",
            order=1,
            description=_(
                "May this report be shown publicly? Names and phone numbers "
                "are never shown."
            ),
            datatype_description=_("true or false; false when not sent."),
            values=(("true", _("Yes")), ("false", _("No"))),
        ),
        Attribute(
            code="deadlines",
            datatype="string",
            order=2,
            variable=False,
            description=notice(category),
        ),
    ]


def definition(category: Category) -> dict:
    return {
        "service_code": category.code,
        "attributes": [a.as_dict() for a in attributes_for(category)],
    }


def _field(code: str) -> str:
    return f"attribute[{code}]"


def _one(attribute: Attribute, raw: list[str]):
    name = _field(attribute.code)
    if attribute.datatype == "multivaluelist":
        keys = {key for key, _name in attribute.values}
        if any(value not in keys for value in raw):
            raise ValidationFailed(_("Choose from the listed values."), field=name)
        return list(dict.fromkeys(raw))
    if len(raw) > 1:
        raise ValidationFailed(_("Send one value."), field=name)
    value = raw[0].strip()
    if len(value) > VALUE_MAX:
        raise ValidationFailed(
            _("Keep it within %(max)d characters.") % {"max": VALUE_MAX}, field=name
        )
    if attribute.datatype == "singlevaluelist":
        if value not in {key for key, _name in attribute.values}:
            raise ValidationFailed(_("Choose from the listed values."), field=name)
    elif attribute.datatype == "number":
        try:
            return Decimal(value)
        except InvalidOperation:
            raise ValidationFailed(_("Enter a number."), field=name) from None
    elif attribute.datatype == "datetime":
        parsed = parse_datetime(value.replace(" ", "+"))
        if parsed is None:
            raise ValidationFailed(_("Enter a date and time."), field=name)
        return parsed if isinstance(parsed, dt.datetime) else value
    elif attribute.datatype == "string" and "\n" in value:
        raise ValidationFailed(_("Keep it on one line."), field=name)
    return value


def attributes_clean(data, category: Category) -> dict:
    """The POSTed ``attribute[code]`` (``attribute[code][]`` for a
    multivaluelist) as {code: value}: refused, naming the attribute, when
    the code is not one of the definition's variable attributes, a value
    is not one of its datatype, or a required one is missing."""
    known = {a.code: a for a in attributes_for(category) if a.variable}
    sent: dict[str, list[str]] = {}
    for key in data:
        if not key.startswith("attribute["):
            continue
        code = key[len("attribute[") :].removesuffix("[]").removesuffix("]")
        if code not in known:
            raise ValidationFailed(_("This service has no such attribute."), field=key)
        sent.setdefault(code, []).extend(v for v in data.getlist(key) if v != "")
    cleaned = {}
    for code, attribute in known.items():
        raw = sent.get(code, [])
        if not raw:
            if attribute.required:
                raise ValidationFailed(_("This field is required."), field=_field(code))
            continue
        cleaned[code] = _one(attribute, raw)
    return cleaned
