"""Choices the councils' forms offer, read through the other apps'
selectors: whom a task may go to, in which category."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils.translation import gettext as _

from gongzhi.areas.tree import street_of
from gongzhi.core.errors import ValidationFailed
from gongzhi.requests import selectors as requests_selectors


def assignee_options(community) -> list[tuple[str, str]]:
    """("team:3", "修缮服务队") … for a task in ``community``: its teams and
    organizations (派单), and its street's departments (吹哨)."""
    found = requests_selectors.assignees_for(SimpleNamespace(community=community))
    options = [(f"team:{t.pk}", t.name) for t in found["teams"]]
    options += [(f"org:{o.pk}", o.name) for o in found["organizations"]]
    street = street_of(community)
    if street is not None:
        options += [
            (f"dept:{d.pk}", _("%(name)s (吹哨 to the street)") % {"name": d.name})
            for d in requests_selectors.departments_of(street)
        ]
    return options


def assignee_find(community, value: str):
    found = requests_selectors.assignees_for(SimpleNamespace(community=community))
    kind, _sep, pk = (value or "").partition(":")
    if pk.isdigit() and len(pk) < 18:
        pools = {
            "team": found["teams"],
            "org": found["organizations"],
        }
        street = street_of(community)
        if street is not None:
            pools["dept"] = requests_selectors.departments_of(street)
        if kind in pools:
            item = pools[kind].filter(pk=int(pk)).first()
            if item is not None:
                return item
    raise ValidationFailed(
        _("Choose a team, an organization or a department."), field="to"
    )


def category_options(area):
    return list(requests_selectors.categories_at(area))


def category_find(area, value: str):
    if value.isdigit() and len(value) < 18:
        item = requests_selectors.categories_at(area).filter(pk=int(value)).first()
        if item is not None:
            return item
    raise ValidationFailed(_("Choose a category in use."), field="category")
