"""The demo year of selections: what the seed promises is there, played
through the services."""

from gongzhi.seeding.selections import seed_demo_selections
from gongzhi.selections.models import (
    FraudFlag,
    Nomination,
    Objection,
    Selection,
)


def test_a_year_of_selections_on_the_demo_street(demo_people):
    assert seed_demo_selections() == 5
    titles = set(Selection.objects.values_list("title", flat=True))
    assert any("裕华园社区" in t and "好人榜" in t for t in titles)
    assert any("五大道街道" in t and "道德模范" in t for t in titles)
    assert any("最美楼栋" in t for t in titles) and any("文明家庭" in t for t in titles)
    assert set(Selection.objects.values_list("status", flat=True)) == {"closed"}
    street = Selection.objects.get(kind__code="moral_model")
    assert street.nominations.filter(forwarded_from__isnull=False).count() >= 4
    assert list(FraudFlag.objects.values_list("status", flat=True)) == ["voided"]
    assert list(Objection.objects.values_list("status", flat=True)) == ["sustained"]
    assert Nomination.objects.filter(status="declined").count() == 1
    assert Nomination.objects.filter(status="withdrawn").count() == 1
    assert seed_demo_selections() == 0  # seeding again adds nothing
