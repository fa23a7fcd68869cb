"""A selection's vote and result reach people's message centres: the
vote's opening everyone living in its area, its result those who voted
and those who nominated."""

from gongzhi.notices.models import Message
from gongzhi.residents.models import Person
from gongzhi.selections.services import running

from .test_flow import _in_publicity


def _told(key: str) -> set[int]:
    return set(Message.objects.filter(key=key).values_list("user_id", flat=True))


def test_voting_opens_to_the_areas_residents_and_the_result_to_who_took_part(world):
    zhou, closed = _in_publicity(world)
    living = set(
        Person.objects.filter(
            household__path__startswith=world.selection.area.path,
            user__isnull=False,
        ).values_list("user_id", flat=True)
    )
    assert living and _told(f"selections.vote:{closed.pk}") == living
    running.honour(selection=closed, by=world.staff, now=closed.publicity_ends)
    result = _told(f"selections.result:{closed.pk}")
    nominators = set(
        closed.nominations.exclude(nominated_by=None).values_list(
            "nominated_by_id", flat=True
        )
    )
    assert world.resident.pk in result and nominators <= result
    assert result == {world.resident.pk} | nominators
