"""The points supermarket's pages, as the resident, the counter's staff, a
grid worker and a street manager use them."""

import io

import pytest
from openpyxl import load_workbook
from PIL import Image

from gongzhi.audit.models import Action, Event
from gongzhi.points.models import (
    Account,
    AccountKind,
    Award,
    AwardStatus,
    EarningItem,
    Goods,
    Order,
    OrderStatus,
)
from gongzhi.points.selectors import figures, month_bounds
from gongzhi.points.services.earning import item_create

PORTAL = "/portal/points"


def _community_url(shop, tail=""):
    return f"/workbench/points/communities/{shop['community'].pk}/{tail}"


def _redeem(client, shop, *, quantity, key):
    return client.post(
        f"{PORTAL}/shop/{shop['oil'].pk}/", {"quantity": quantity, "key": key}
    )


def test_a_resident_sees_her_balance_and_the_shelf_on_her_phone(client, users, shop):
    client.force_login(users["resident"])
    page = client.get(f"{PORTAL}/").content.decode()
    assert "我的积分" in page and ">100<" in page and "志愿服务 10 小时" in page
    shelf = client.get(f"{PORTAL}/shop/").content.decode()
    assert "食用油" in shelf and "<b>30</b> 积分" in shelf and "剩 5 件" in shelf


def test_redeeming_gives_a_pickup_code_with_a_qr_and_a_second_tap_spends_once(
    client, users, shop
):
    client.force_login(users["resident"])
    form = client.get(f"{PORTAL}/shop/{shop['oil'].pk}/").content.decode()
    assert "确认兑换" in form and 'name="key"' in form
    first = _redeem(client, shop, quantity=2, key="tap-1")
    again = _redeem(client, shop, quantity=2, key="tap-1")
    order = Order.objects.get()
    assert first.url == again.url == f"{PORTAL}/orders/{order.pk}/"
    page = client.get(first.url).content.decode()
    assert order.code in page and "<svg" in page and "待领取" in page
    shop["account"].refresh_from_db()
    shop["oil"].refresh_from_db()
    assert (shop["account"].balance, shop["oil"].stock) == (40, 3)


def test_redeeming_more_than_the_balance_says_so_and_changes_nothing(
    client, users, shop
):
    client.force_login(users["resident"])
    response = _redeem(client, shop, quantity=4, key="k")
    page = response.content.decode()
    assert response.status_code == 200
    assert "积分不足：余额 100，需要 120。" in page
    assert not Order.objects.exists()
    shop["account"].refresh_from_db()
    assert shop["account"].balance == 100


def test_a_resident_cancels_her_order_and_gets_the_points_back(client, users, shop):
    client.force_login(users["resident"])
    _redeem(client, shop, quantity=1, key="k")
    order = Order.objects.get()
    client.post(f"{PORTAL}/orders/{order.pk}/cancel/")
    order.refresh_from_db()
    shop["account"].refresh_from_db()
    assert (order.status, shop["account"].balance) == (OrderStatus.CANCELLED, 100)
    history = client.get(f"{PORTAL}/history/").content.decode()
    assert "退还" in history and "+30" in history


def test_a_login_without_a_resident_record_is_told_how_to_link_it(client, users):
    client.force_login(users["staff"])
    page = client.get(f"{PORTAL}/").content.decode()
    assert "还没有关联居民信息" in page


def test_another_residents_order_is_not_there(client, users, shop, demo_people):
    client.force_login(users["resident"])
    _redeem(client, shop, quantity=1, key="k")
    order = Order.objects.get()
    client.force_login(users["staff"])
    assert client.get(f"{PORTAL}/orders/{order.pk}/").status_code == 404


def test_the_counter_looks_up_a_code_hands_over_and_refuses_it_again(
    client, users, shop
):
    client.force_login(users["resident"])
    _redeem(client, shop, quantity=1, key="k")
    code = Order.objects.get().code
    client.force_login(users["staff"])
    counter = _community_url(shop, "counter/")
    wrong = client.get(counter, {"code": "12345x"}).content.decode()
    assert "取货码：取货码为六位数字" in wrong or "六位数字" in wrong
    found = client.get(counter, {"code": code}).content.decode()
    assert "食用油 × 1" in found and "周桂兰" in found and "确认交付" in found
    done = client.post(counter, {"code": code}, follow=True).content.decode()
    assert "已交付：食用油 × 1，领取人 周桂兰" in done
    assert Order.objects.get().status == OrderStatus.HANDED_OVER
    again = client.post(counter, {"code": code}).content.decode()
    assert "已于" in again and "使用" in again


def _png() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    out.seek(0)
    out.name = "rice.png"
    return out


def test_staff_put_goods_with_a_photo_on_the_shelf_and_restock(
    client, users, shop, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(users["staff"])
    url = _community_url(shop, "goods/")
    bad = client.post(url, {"name": "大米", "price": "0", "stock": "10"})
    assert "所需积分：" in bad.content.decode()
    assert not Goods.objects.filter(name="大米").exists()
    client.post(
        url,
        {
            "name": "大米",
            "price": "50",
            "stock": "10",
            "limit": "1",
            "limit_period": "month",
            "photo": _png(),
        },
    )
    rice = Goods.objects.get(name="大米")
    assert (rice.price, rice.stock, rice.limit) == (50, 10, 1) and rice.photo
    client.post(_community_url(shop, f"goods/{rice.pk}/restock/"), {"quantity": "5"})
    rice.refresh_from_db()
    assert rice.stock == 15
    photo = client.get(_community_url(shop, f"goods/{rice.pk}/photo/"))
    assert photo["Content-Type"] == "image/png"
    client.force_login(users["resident"])
    assert client.get(f"{PORTAL}/shop/{rice.pk}/photo/").status_code == 200


def test_a_grid_worker_awards_a_deed_and_a_large_award_waits_for_staff(
    client, users, shop
):
    item_create(
        community=shop["community"], name="楼道清理", points=5, by=users["staff"]
    )
    person = shop["person"]
    client.force_login(users["grid_worker"])
    url = f"/workbench/points/people/{person.pk}/"
    page = client.get(url).content.decode()
    assert "奖励积分" in page and "楼道清理" in page and "柜台代兑" not in page
    item = EarningItem.objects.get(name="楼道清理")
    client.post(url, {"form": "award", "item": item.pk, "key": "a1"})
    client.post(url, {"form": "award", "item": item.pk, "key": "a1"})  # twice
    client.post(url, {"form": "award", "points": 80, "reason": "见义勇为", "key": "a2"})
    shop["account"].refresh_from_db()
    assert shop["account"].balance == 105
    big = Award.objects.get(reason="见义勇为")
    assert big.status == AwardStatus.PENDING
    awards = _community_url(shop, "awards/")
    assert client.get(awards).status_code == 404  # no points.manage
    client.force_login(users["staff"])
    assert "见义勇为" in client.get(awards).content.decode()
    client.post(_community_url(shop, f"awards/{big.pk}/approve/"))
    shop["account"].refresh_from_db()
    assert shop["account"].balance == 185


def test_the_maker_of_an_award_cannot_approve_it(client, users, shop):
    client.force_login(users["staff"])
    url = f"/workbench/points/people/{shop['person'].pk}/"
    client.post(url, {"form": "award", "points": 80, "reason": "见义勇为", "key": "a"})
    award = Award.objects.get()
    page = client.get(_community_url(shop, "awards/")).content.decode()
    assert "您发起的，须由他人复核" in page
    client.post(_community_url(shop, f"awards/{award.pk}/approve/"))
    award.refresh_from_db()
    assert award.status == AwardStatus.PENDING


def test_an_award_without_deed_or_points_names_the_field(client, users, shop):
    client.force_login(users["grid_worker"])
    url = f"/workbench/points/people/{shop['person'].pk}/"
    page = client.post(url, {"form": "award", "key": "a"}).content.decode()
    assert "积分：请选择事项或填写分值" in page
    assert not Award.objects.exists()


def test_staff_redeem_at_the_counter_for_a_resident_without_a_phone(
    client, users, shop
):
    client.force_login(users["staff"])
    url = f"/workbench/points/people/{shop['person'].pk}/"
    body = {"form": "redeem", "goods": shop["oil"].pk, "quantity": 1, "key": "c"}
    page = client.post(url, body, follow=True).content.decode()
    assert "已兑换并交付：食用油 × 1" in page
    client.post(url, body)  # resent
    order = Order.objects.get()
    assert (order.status, order.placed_by) == (OrderStatus.HANDED_OVER, users["staff"])
    shop["account"].refresh_from_db()
    assert shop["account"].balance == 70


def test_figures_add_up_and_the_statement_opens_in_excel(client, users, shop):
    client.force_login(users["resident"])
    _redeem(client, shop, quantity=1, key="k1")
    _redeem(client, shop, quantity=1, key="k2")
    client.post(f"{PORTAL}/orders/{Order.objects.first().pk}/cancel/")
    order = Order.objects.first()
    year, month = order.placed_at.year, order.placed_at.month
    start, end = month_bounds(year, month)
    line = figures([shop["community"]], start=start, end=end)[shop["community"].pk]
    assert (line.issued, line.redeemed, line.refunded) == (100, 30, 30)
    assert (line.outstanding, line.participants) == (70, 1)
    held = Account.objects.filter(
        area=shop["community"], kind=AccountKind.PERSON
    ).values_list("balance", flat=True)
    assert line.outstanding == sum(held)
    client.force_login(users["street_manager"])
    home = client.get("/workbench/points/", {"month": f"{year}-{month:02d}"})
    assert "三盛里社区" in home.content.decode()
    # The street's policy form is on the page, not in its title.
    title = home.content.decode().split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("积分超市 ·") and "<" not in title
    response = client.get(_community_url(shop, f"statement/{year}-{month}.xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    summary = {
        row[0]: row[1] for row in book["汇总"].iter_rows(min_row=3, values_only=True)
    }
    assert (summary["发放"], summary["兑换（扣除退回）"], summary["期末未兑积分"]) == (
        100,
        30,
        70,
    )
    moves = list(book["积分流水"].iter_rows(min_row=3, values_only=True))
    assert [(m[1], m[2], m[4]) for m in moves] == [
        ("获得", "周桂兰", 100),
        ("兑换", "周桂兰", -30),
        ("兑换", "周桂兰", -30),
        ("退还", "周桂兰", 30),
    ]
    assert Event.objects.filter(action=Action.PERSONAL_EXPORTED).count() == 1


@pytest.mark.parametrize("login", ["grid_worker", "building_leader", "resident"])
def test_figures_are_for_staff_and_managers_only(client, users, shop, login):
    client.force_login(users[login])
    assert client.get("/workbench/points/").status_code == 404
    assert client.get(_community_url(shop)).status_code == 404


def test_the_redeem_form_hides_its_key_and_states_the_limit_as_one_sentence(
    client, users, shop
):
    shop["oil"].limit = 2
    shop["oil"].save(update_fields=["limit"])
    client.force_login(users["resident"])
    form = client.get(f"{PORTAL}/shop/{shop['oil'].pk}/").content.decode()
    assert '<input type="hidden" name="key"' in form
    assert ">Key<" not in form and "Key</label>" not in form
    assert "每人每月限兑 2 件" in form and "2 每月" not in form
    shelf = client.get(f"{PORTAL}/shop/").content.decode()
    assert "每人每月限兑 2 件" in shelf


def test_goods_priced_beyond_the_bound_are_refused_on_the_field(client, users, shop):
    client.force_login(users["staff"])
    response = client.post(
        _community_url(shop, "goods/"),
        {"name": "金条", "price": 10**12, "stock": 1, "limit_period": "month"},
    )
    assert response.context["form"].errors["price"]
    assert not Goods.objects.filter(name="金条").exists()
