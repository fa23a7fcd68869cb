"""The workbench's 待办 counts what waits in selections, where the user
runs them."""

from gongzhi.selections.services import nominations, publicity, running, voting
from gongzhi.selections.tests.test_flow import candidate
from gongzhi.web.todo import todos_at


def _counts(user, area):
    return {t.key: t.count for t in todos_at(user=user, area=area)}


def test_nominations_to_review_and_objections_to_answer(world, users, areas):
    nominations.nomination_create(
        selection=world.selection, by=world.resident, person=world.zhou, story="热心"
    )
    here = _counts(world.secretary, areas["community"])
    assert here["nominations"] == 1 and here["objections"] == 0
    assert _counts(users["street_manager"], areas["street"])["nominations"] == 1
    # A unit nominates but does not run selections: no such count.
    assert "nominations" not in _counts(users["unit"], areas["community"])


def test_an_objection_waits_for_an_answer(world, users, areas):
    zhou = candidate(world, world.zhou)
    running.vote_open(selection=world.selection, by=world.staff)
    voting.ballot_cast(selection=world.selection, by=world.resident, choices=[zhou.pk])
    running.vote_close(selection=world.selection, by=world.staff)
    zhou.refresh_from_db()
    publicity.objection_raise(nomination=zhou, by=users["grid_worker"], reason="不实")
    assert _counts(world.staff, areas["community"])["objections"] == 1
    assert "objections" not in _counts(users["other_grid_worker"], areas["other_grid"])
