# The requests app's desk, for the 待办 counts.
from gongzhi.requests.tests.conftest import pool_category, world  # noqa: F401
