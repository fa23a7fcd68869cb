"""Scoping rows: people.

``{person}`` is someone living in the place. Only households hold people,
so rows naming ``{person}`` list ``places=HOUSEHOLDS``: a person found under
a community would lie in one of its grids, and a grid worker reaching him
there would not be a leak.
"""

from gongzhi.residents.models import Person

HOUSEHOLDS = "household neighbour_household other_household"


def person_at(area) -> int:
    person = Person.objects.filter(household=area).order_by("pk").first()
    return person.pk if person else 0


ROWS = []
PLACE_NAMES = {"person": person_at}
