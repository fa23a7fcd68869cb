"""急难愁盼 pages: the resident's phone (我要点单, 我的诉求) and the
workbench (desks, 我的工单, 抢单, one request and its steps)."""

from django.urls import path

from .views import portal, workbench

app_name = "requests"
P = "portal/requests/"
W = "workbench/requests/"
R = W + "<int:request_id>/"
urlpatterns = [
    path(P, portal.portal_requests, name="portal_requests"),
    path(P + "new/", portal.portal_raise, name="portal_raise"),
    path(P + "duplicates/", portal.portal_duplicates, name="portal_duplicates"),
    path(P + "similar/<int:request_id>/", portal.portal_similar, name="portal_similar"),
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
    path(R, workbench.request_page, name="request"),
    path(R + "take/", workbench.take, name="take"),
    path(R + "photos/<int:photo_id>/", workbench.request_photo, name="request_photo"),
    path(R + "<slug:step>/", workbench.request_step, name="step"),
]
