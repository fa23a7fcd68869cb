"""Scoping rows: the points supermarket.

A resident reads her own balance, history, shelf and orders (no place);
awards are made where the login holds points.award over the resident's
household, approved where she holds points.manage, and the counter hands
over in a community where she holds points.manage. ``{award}`` is an award
of 80 points waiting for approval for the person living in a household
place, made on first use in a test and rolled back with it.
"""

from gongzhi.accounts.selectors import user_find_by_phone
from gongzhi.areas.models import Kind
from gongzhi.points.models import Award, AwardStatus, Goods
from gongzhi.residents.models import Person
from gongzhi.seeding import demo
from tests.scoping_on_use import on_use
from tests.test_scoping_matrix import Row

AWARD = "perm:points.award"
MANAGE = "perm:points.manage"
HOUSEHOLDS = "household neighbour_household other_household"
COMMUNITIES = "community other_community"
P = "/api/v1/points"
MARK = "矩阵"
RESIDENT_PHONE = next(x.phone for x in demo.LOGINS if x.role == "resident")


def award_at(area) -> int:
    if area.kind != Kind.HOUSEHOLD:
        return 0
    award = Award.objects.filter(account__person__household=area, reason=MARK).first()
    if award is None:
        from gongzhi.areas.tree import community_of
        from gongzhi.points.models import AccountKind
        from gongzhi.points.services.ledger import account_open

        person = Person.objects.filter(household=area).order_by("pk").first()
        if person is None:
            return 0
        account = account_open(
            kind=AccountKind.PERSON, community=community_of(area), person=person
        )
        award = Award.objects.create(
            community=account.area,
            account=account,
            points=80,
            reason=MARK,
            status=AwardStatus.PENDING,
            idempotency_key=f"matrix-award-{area.pk}",
            fingerprint="",
        )
    return award.pk


def goods_at(area) -> int:
    if area.kind != Kind.COMMUNITY:
        return 0
    from gongzhi.points.services.shop import goods_create

    goods = Goods.objects.filter(community=area, name=MARK).first()
    if goods is None:
        goods = goods_create(community=area, name=MARK, price=10, stock=1, by=None)
    return goods.pk


def community_at(area) -> int:
    from gongzhi.areas.tree import community_of

    community = community_of(area)
    return community.pk if community else 0


def photo_goods_at(area) -> int:
    """``{goods}`` with the matrix's one stored photo."""
    from gongzhi.volunteering.tests.scoping_rows import matrix_photo

    goods = Goods.objects.filter(pk=goods_at(area)).first()
    if goods is None:
        return 0
    if not goods.photo:
        goods.photo = matrix_photo()
        goods.save(update_fields=["photo"])
    return goods.pk


def _my_order_at(area) -> int:
    """The demo resident's order of ``{goods}`` in her own community, paid
    with points the system awards her first; 0 elsewhere."""
    from gongzhi.points.services.accounts import resident_account
    from gongzhi.points.services.earning import award_create
    from gongzhi.points.services.shop import order_place

    user = user_find_by_phone(phone=RESIDENT_PHONE)
    account = resident_account(user.person)
    if account.area_id != area.pk:
        return 0
    award_create(account=account, by=None, points=10, reason=MARK, idempotency_key=MARK)
    order = order_place(
        account=account,
        goods=Goods(pk=goods_at(area)),
        quantity=1,
        by=user,
        idempotency_key=MARK,
    )
    return order.pk


PLACE_NAMES = {
    "award": award_at,
    "goods": goods_at,
    "photo_goods": photo_goods_at,
    "community_of": community_at,
    "my_order": on_use(_my_order_at),
}

VIEW = "perm:points.view"
W = "/workbench/points/communities/{area}/"

ROWS = [
    Row(
        "points: a community's figures",
        "GET",
        P + "/communities/{area}/figures",
        api=True,
        needs=VIEW,
        seen=403,
        places=COMMUNITIES,
    ),
    Row(
        "points: pool into the household",
        "POST",
        P + "/me/pool",
        api=True,
        needs="own_points",
        ok=400,  # the demo street keeps no household accounts
        body={"points": 1},
    ),
    # The resident's pages: any login; one without a record is told how
    Row("points page: mine", "GET", "/portal/points/", needs="login"),
    Row("points page: my shelf", "GET", "/portal/points/shop/", needs="login"),
    Row("points page: my orders", "GET", "/portal/points/orders/", needs="login"),
    Row("points page: my history", "GET", "/portal/points/history/", needs="login"),
    Row(
        "points page: pool",
        "POST",
        "/portal/points/pool/",
        needs="own_points",
        ok=302,
        body={"points": 1, "key": MARK},
    ),
    # The workbench's
    Row(
        "points page: street policy",
        "POST",
        "/workbench/points/streets/{area}/policy/",
        needs="perm:points.policy",
        ok=302,
        places="street",
        body={"household_pooling": "on"},
    ),
    Row(
        "points page: figures",
        "GET",
        "/workbench/points/",
        needs="anywhere:points.view",
    ),
    Row("points page: a community", "GET", W, needs=VIEW, places=COMMUNITIES),
    Row(
        "points page: statement",
        "GET",
        W + "statement/2026-1.xlsx",
        needs=VIEW,
        places=COMMUNITIES,
    ),
    Row(
        "points page: counter", "GET", W + "counter/", needs=MANAGE, places=COMMUNITIES
    ),
    Row(
        "points page: hand over",
        "POST",
        W + "counter/",
        needs=MANAGE,
        places=COMMUNITIES,
        body={"code": "000000"},  # inside: the form says no order waits
    ),
    Row("points page: goods", "GET", W + "goods/", needs=MANAGE, places=COMMUNITIES),
    Row(
        "points page: add goods",
        "POST",
        W + "goods/",
        needs=MANAGE,
        ok=302,
        places=COMMUNITIES,
        body={"name": "矩阵油", "price": 5, "stock": 1, "limit_period": "month"},
    ),
    Row(
        "points page: edit goods",
        "GET",
        W + "goods/{goods}/",
        needs=MANAGE,
        places=COMMUNITIES,
    ),
    Row(
        "points page: restock",
        "POST",
        W + "goods/{goods}/restock/",
        needs=MANAGE,
        ok=302,
        places=COMMUNITIES,
        body={"quantity": 3},
    ),
    Row("points page: awards", "GET", W + "awards/", needs=MANAGE, places=COMMUNITIES),
    Row(
        "points page: approve",
        "POST",
        "/workbench/points/communities/{community_of}/awards/{award}/approve/",
        needs=MANAGE,
        ok=302,
        places=HOUSEHOLDS,
    ),
    Row(
        "points page: reject",
        "POST",
        "/workbench/points/communities/{community_of}/awards/{award}/reject/",
        needs=MANAGE,
        ok=302,
        places=HOUSEHOLDS,
        body={"note": MARK},
    ),
    Row(
        "points page: catalog", "GET", W + "catalog/", needs=MANAGE, places=COMMUNITIES
    ),
    Row(
        "points page: a resident's points",
        "GET",
        "/workbench/points/people/{person}/",
        needs=AWARD,
        places=HOUSEHOLDS,
    ),
    Row(
        "points page: award",
        "POST",
        "/workbench/points/people/{person}/",
        needs=AWARD,
        ok=302,
        places=HOUSEHOLDS,
        body={"form": "award", "points": 5, "reason": MARK, "key": MARK},
    ),
    Row("points: my balance", "GET", P + "/me", api=True, needs="own_points"),
    Row("points: my history", "GET", P + "/me/entries", api=True, needs="own_points"),
    Row("points: my shelf", "GET", P + "/me/goods", api=True, needs="own_points"),
    Row("points: my orders", "GET", P + "/me/orders", api=True, needs="own_points"),
    Row(
        "points: a resident's balance",
        "GET",
        P + "/people/{person}",
        api=True,
        needs=AWARD,
        seen=403,
        places=HOUSEHOLDS,
    ),
    Row(
        "points: award",
        "POST",
        P + "/awards",
        api=True,
        needs=AWARD,
        ok=201,
        seen=403,
        places=HOUSEHOLDS,
        body={"person_id": "{person}", "points": 5, "reason": MARK},
    ),
    Row(
        "points: approve an award",
        "POST",
        P + "/awards/{award}/approve",
        api=True,
        needs=MANAGE,
        seen=403,
        places=HOUSEHOLDS,
    ),
    Row(
        "points: reject an award",
        "POST",
        P + "/awards/{award}/reject",
        api=True,
        needs=MANAGE,
        seen=403,
        places=HOUSEHOLDS,
        body={"note": MARK},
    ),
    Row(
        "points: counter hand-over",
        "POST",
        P + "/communities/{area}/hand-over",
        api=True,
        needs=MANAGE,
        ok=400,  # inside, the code finds no waiting order
        seen=403,
        places=COMMUNITIES,
        body={"code": "000000"},
    ),
    # Redeeming: the resident's own shelf, orders and their photos. Anyone
    # else is told how to link her record (the page answers 200).
    Row(  # hers to redeem; any other login is told how to link a record
        "points page: redeem goods",
        "GET",
        "/portal/points/shop/{goods}/",
        needs="login",
        seen=200,
        outside=200,
        places="community",
    ),
    Row(
        "points page: a photo on my shelf",
        "GET",
        "/portal/points/shop/{photo_goods}/photo/",
        needs="own_points",
        places="community",
    ),
    Row(
        "points page: a goods photo",
        "GET",
        W + "goods/{photo_goods}/photo/",
        places=COMMUNITIES,
    ),
    Row(
        "points page: my order",
        "GET",
        "/portal/points/orders/{my_order}/",
        needs="own_points",
        places="community",
    ),
    Row(
        "points page: cancel my order",
        "POST",
        "/portal/points/orders/{my_order}/cancel/",
        needs="own_points",
        ok=302,
        places="community",
    ),
    Row(  # she has no points: reached, then refused (short of points, 409)
        "points: redeem goods",
        "POST",
        P + "/me/orders",
        api=True,
        needs="own_points",
        ok=409,
        places="community",
        body={"goods_id": "{goods}"},
    ),
    Row(
        "points: cancel my order",
        "POST",
        P + "/me/orders/{my_order}/cancel",
        api=True,
        needs="own_points",
        places="community",
    ),
]
