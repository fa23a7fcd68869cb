"""A passed resolution becomes work through the requests workflow, with
milestones, photos and a budget line (专项资金) whose receipts add up."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.core.errors import TransitionNotAllowed, ValidationFailed
from gongzhi.councils.models import TopicStatus
from gongzhi.councils.services import topics, votes, work

from .conftest import VOTING, photo, present


@pytest.fixture
def passed(hall):
    present(hall, *VOTING)
    votes.topic_decide(
        meeting=hall.meeting, topic=hall.topic, outcome="passed", by=hall.staff
    )
    hall.topic.refresh_from_db()
    return hall


def test_a_task_is_a_request_dispatched_with_its_deadlines(passed):
    w = passed.world
    task = work.task_create(
        topic=passed.topic,
        title="维修围墙",
        category=w.wall,
        to=w.team_a,
        by=passed.staff,
    )
    item = task.service_request
    assert item.team == w.team_a and item.status == "dispatched"
    assert item.resolve_due is not None  # the category's 24 hours apply
    passed.topic.refresh_from_db()
    assert passed.topic.status == TopicStatus.CARRYING_OUT


def test_a_task_for_a_department_is_whistled_up_to_the_street(passed):
    w = passed.world
    task = work.task_create(
        topic=passed.topic,
        title="更换老化水管",
        category=w.wall,
        to=w.department,
        by=passed.staff,
    )
    assert task.service_request.status == "escalated"


def test_only_a_passed_resolution_becomes_work(hall):
    w = hall.world
    with pytest.raises(TransitionNotAllowed):
        work.task_create(
            topic=hall.topic, title="提前开工", category=w.wall, to=w.team_a, by=w.staff
        )


def test_milestones_photos_and_the_end_of_the_work(passed):
    w = passed.world
    task = work.task_create(
        topic=passed.topic, title="刷漆", category=w.wall, to=w.team_a, by=w.staff
    )
    stone = work.milestone_add(task=task, title="除锈", by=w.staff)
    work.milestone_done(milestone=stone, by=w.staff)
    with pytest.raises(TransitionNotAllowed):
        work.milestone_done(milestone=stone, by=w.staff)
    work.task_photos_add(task=task, kind="before", photos=[photo()], by=w.staff)
    work.task_photos_add(task=task, kind="after", photos=[photo()], by=w.staff)
    assert task.photos.count() == 2
    topics.topic_step(topic=passed.topic, action="finish", by=w.staff)
    done = topics.topic_step(
        topic=passed.topic, action="publicise", notice_days=7, by=w.staff
    )
    assert done.status == TopicStatus.PUBLICISED
    assert done.notice_until == timezone.localdate() + dt.timedelta(days=7)


def test_the_budget_shows_what_is_spent_and_left(passed):
    w = passed.world
    budget = work.budget_set(
        topic=passed.topic,
        source="党组织服务群众专项资金",
        approved="20000",
        by=w.staff,
    )
    work.expense_add(
        budget=budget,
        amount="3500.50",
        note="防锈漆",
        spent_on=timezone.localdate(),
        receipt=photo(),
        by=w.staff,
    )
    assert work.spent(budget) == Decimal("3500.50")


def test_an_expense_beyond_what_is_left_is_refused(passed):
    w = passed.world
    budget = work.budget_set(
        topic=passed.topic, source="专项资金", approved="1000", by=w.staff
    )
    with pytest.raises(ValidationFailed) as refused:
        work.expense_add(
            budget=budget,
            amount="1000.01",
            note="超支",
            spent_on=timezone.localdate(),
            receipt=photo(),
            by=w.staff,
        )
    assert refused.value.field == "amount"
    assert not budget.expenses.exists()


def test_an_expense_needs_its_receipt(passed):
    w = passed.world
    budget = work.budget_set(
        topic=passed.topic, source="专项资金", approved="10", by=w.staff
    )
    with pytest.raises(ValidationFailed) as refused:
        work.expense_add(
            budget=budget,
            amount="5",
            note="无票",
            spent_on=timezone.localdate(),
            receipt=None,
            by=w.staff,
        )
    assert refused.value.field == "receipt"
