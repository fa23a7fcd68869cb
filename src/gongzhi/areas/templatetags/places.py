"""``{{ sr.area|place }}``: a place named in full (航院小区 1号楼 1单元 101).

Lists fetch the labels of all their rows at once with
:func:`gongzhi.areas.selectors.with_places`; a page showing one place lets
the filter look its ancestors up itself.
"""

from django import template

from ..selectors import place_labels

register = template.Library()


@register.filter
def place(area) -> str:
    if area is None:
        return ""
    label = getattr(area, "place_label", None)
    if label is None:
        label = area.place_label = place_labels([area])[area.pk]
    return label
