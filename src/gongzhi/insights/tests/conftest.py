"""The rates are told on the requests' own world (a street, its teams and
units, a hand-computed story of requests)."""

import pytest

from gongzhi.requests.tests.conftest import world  # noqa: F401


@pytest.fixture(autouse=True)
def _live(dashboards_live):
    """The insights tests watch the dashboards follow every change."""
