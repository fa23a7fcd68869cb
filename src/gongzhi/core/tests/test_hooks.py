"""The hook a domain app announces its changes through."""

import pytest
from django.db import transaction

from gongzhi.core import hooks


@pytest.fixture
def event():
    name = "tests.something_happened"
    yield name
    for handler in hooks.subscribers(name):
        hooks.unsubscribe(name, handler)


def test_subscribers_are_told_in_order_with_the_payload(event):
    told = []
    hooks.subscribe(event, lambda **kw: told.append(("first", kw)))
    hooks.subscribe(event, lambda **kw: told.append(("second", kw)))
    hooks.announce(event, ids=[3], now="then")
    assert told == [
        ("first", {"ids": [3], "now": "then"}),
        ("second", {"ids": [3], "now": "then"}),
    ]


def test_an_event_nobody_listens_to_is_told_to_nobody(event):
    hooks.announce(event, ids=[1])
    assert hooks.subscribers(event) == ()


def test_subscribing_twice_tells_the_handler_once(event):
    told = []

    def handler(**payload):
        told.append(payload)

    hooks.subscribe(event, handler)
    hooks.subscribe(event, handler)
    hooks.announce(event, n=1)
    assert told == [{"n": 1}]
    hooks.unsubscribe(event, handler)
    hooks.announce(event, n=2)
    assert told == [{"n": 1}]


def test_a_failing_handler_fails_the_announcer(event):
    def handler(**payload):
        raise RuntimeError("broken")

    hooks.subscribe(event, handler)
    with pytest.raises(RuntimeError):
        hooks.announce(event)


@pytest.mark.django_db
def test_what_a_handler_writes_rolls_back_with_the_announcer(event):
    from django.contrib.contenttypes.models import ContentType

    def handler(**payload):
        ContentType.objects.create(app_label="tests", model=payload["model"])

    hooks.subscribe(event, handler)
    with pytest.raises(RuntimeError), transaction.atomic():
        hooks.announce(event, model="undone")
        assert ContentType.objects.filter(model="undone").exists()
        raise RuntimeError("the announcer fails after announcing")
    assert not ContentType.objects.filter(model="undone").exists()
