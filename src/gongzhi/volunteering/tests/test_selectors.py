import datetime as dt
from decimal import Decimal

from gongzhi.volunteering import selectors
from gongzhi.volunteering.services.attendance import attendance_mark
from gongzhi.volunteering.services.signup import signup_create

from .conftest import PUBLISHED, at


def _came(event, person, hours):
    signup_create(occurrence=event.occurrence, person=person, by=None, now=PUBLISHED)
    attendance_mark(
        occurrence=event.occurrence,
        person=person,
        checked_in_at=at(9),
        checked_out_at=at(9) + dt.timedelta(hours=hours),
        reason="现场登记",
        by=event.staff,
        now=at(12),
    )


def test_the_counts_reports_quote(event, areas):
    _came(event, event.zhou, 2)
    _came(event, event.neighbours[0], 1.5)
    year = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 12, 31), "now": at(12)}
    counts = selectors.figures(areas["street"], **year)
    assert (counts["sessions"], counts["participations"], counts["participants"]) == (
        1,
        2,
        2,
    )
    assert counts["hours"] == Decimal("3.50")
    assert counts["by_kind"] == [
        {
            "key": "clinic",
            "sessions": 1,
            "participations": 2,
            "participants": 2,
            "hours": Decimal("3.50"),
        }
    ]
    assert [row["key"] for row in counts["by_team"]] == ["助老服务队"]
    assert [row["key"] for row in counts["by_place"]] == ["三盛里党群服务中心"]
    elsewhere = selectors.figures(areas["other_community"], **year)
    assert (elsewhere["sessions"], elsewhere["participations"]) == (0, 0)
    before = selectors.figures(areas["street"], **(year | {"now": at(8)}))
    assert before["sessions"] == 0  # not held yet


def test_a_volunteers_record_for_a_certificate(event):
    _came(event, event.zhou, 2)
    record = selectors.service_record(event.zhou)
    assert (record["hours"], record["sessions"]) == (Decimal("2.00"), 1)
    assert record["teams"] == []
    december = selectors.service_record(
        event.zhou, start=dt.date(2026, 12, 6), end=dt.date(2026, 12, 31)
    )
    assert (december["hours"], december["sessions"]) == (Decimal("0.00"), 0)
    leader = selectors.service_record(event.leader)
    assert [team.name for team in leader["teams"]] == ["助老服务队"]
