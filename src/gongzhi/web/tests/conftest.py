# The requests app's desk and the points shop, for the 待办 counts.
from gongzhi.points.tests.conftest import ledger, shop  # noqa: F401
from gongzhi.requests.tests.conftest import pool_category, world  # noqa: F401
