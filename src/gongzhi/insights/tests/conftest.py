"""The rates are told on the requests' own world (a street, its teams and
units, a hand-computed story of requests)."""

from gongzhi.requests.tests.conftest import world  # noqa: F401
