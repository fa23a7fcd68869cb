"""急难愁盼 pages: the resident's phone (我要点单, 我的诉求) and the
workbench (desks, 我的工单, 抢单, one request and its steps, 诉求设置,
转为诉求 from a care visit)."""

from django.urls import path

from .views import portal, setup, visits, workbench

app_name = "requests"
P = "portal/requests/"
W = "workbench/requests/"
R = W + "<int:request_id>/"
urlpatterns = [
    path(P, portal.portal_requests, name="portal_requests"),
    path(P + "new/", portal.portal_raise, name="portal_raise"),
    path(P + "duplicates/", portal.portal_duplicates, name="portal_duplicates"),
    path(P + "similar/<int:request_id>/", portal.portal_similar, name="portal_similar"),
    path(
        P + "similar/<int:request_id>/follow/",
        portal.portal_follow,
        name="portal_follow",
    ),
    path(
        P + "similar/<int:request_id>/unfollow/",
        portal.portal_unfollow,
        name="portal_unfollow",
    ),
    path(P + "<int:request_id>/", portal.portal_request, name="portal_request"),
    path(
        P + "<int:request_id>/photos/<int:photo_id>/",
        portal.portal_photo,
        name="portal_photo",
    ),
    path(P + "<int:request_id>/rate/", portal.portal_rate, name="portal_rate"),
    path(P + "<int:request_id>/reopen/", portal.portal_reopen, name="portal_reopen"),
    path(W, workbench.desk, name="desk"),
    path(W + "street/", workbench.street_desk, name="street"),
    path(W + "mine/", workbench.my_queue, name="mine"),
    path(W + "pool/", workbench.pool, name="pool"),
    path(W + "new/", workbench.staff_raise, name="raise"),
    path(W + "new/people/", workbench.raise_people, name="raise_people"),
    path(W + "setup/", setup.categories, name="setup"),
    path(
        W + "setup/categories/<int:category_id>/",
        setup.category_edit,
        name="setup_category",
    ),
    path(W + "setup/departments/", setup.departments, name="setup_departments"),
    path(
        W + "setup/handlers/<str:kind>/<int:queue_id>/",
        setup.handlers,
        name="setup_handlers",
    ),
    path(
        W + "setup/handlers/<int:handler_id>/end/",
        setup.handler_end,
        name="setup_handler_end",
    ),
    path(W + "from-visit/<int:visit_id>/", visits.visit_raise, name="visit_raise"),
    path(R, workbench.request_page, name="request"),
    path(R + "take/", workbench.take, name="take"),
    path(R + "photos/<int:photo_id>/", workbench.request_photo, name="request_photo"),
    path(R + "phone/", workbench.request_phone, name="request_phone"),
    path(R + "<slug:step>/", workbench.request_step, name="step"),
]
