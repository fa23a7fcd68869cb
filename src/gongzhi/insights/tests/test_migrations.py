"""The rollups moved from requests to insights by state alone: a database
migrated before the move keeps its tables and every row."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from conftest import restore_migration_data
from gongzhi.insights.models import RequestFact, RequestRollup
from gongzhi.requests import services
from gongzhi.requests.tests.conftest import hours, raise_wall

BEFORE = [("requests", "0003_follow"), ("insights", None)]


def _latest() -> list[tuple[str, str]]:
    """Every app's last migration: going back to BEFORE also unapplies the
    apps built on requests since (councils, notices, the dashboards), and
    the tests after this one on the worker need all of them back."""
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def _labels() -> list[str]:
    return sorted(
        ContentType.objects.filter(
            model__in=("requestfact", "requestrollup")
        ).values_list("app_label", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_the_tables_and_their_rows(django_db_blocker, request):
    with django_db_blocker.unblock():
        restore_migration_data()
    world = request.getfixturevalue("world")
    item = raise_wall(world)
    services.request_dispatch(
        service_request=item, to=world.team_a, by=world.staff, now=hours(0.25)
    )
    facts, buckets = RequestFact.objects.count(), RequestRollup.objects.count()
    assert facts == 1 and buckets >= 1
    try:
        # Back to the last migration before the move: requests owns the
        # models again, the same tables hold the same rows.
        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE[:1]).apps
        assert old.get_model("requests", "RequestFact").objects.count() == facts
        assert set(_labels()) == {"requests"}
        Rollup = old.get_model("requests", "RequestRollup")
        row = Rollup.objects.first()
        Rollup.objects.filter(pk=row.pk).update(overdue=7)
    finally:
        _migrate(_latest())
    assert _rows("requests_requestfact") == facts
    assert RequestFact.objects.get().request_id == item.pk
    assert RequestRollup.objects.count() == buckets
    assert RequestRollup.objects.get(pk=row.pk).overdue == 7
    assert _labels() == ["insights", "insights"]  # their permissions with them
