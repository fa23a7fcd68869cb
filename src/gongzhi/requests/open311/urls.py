"""/open311/: the discovery file and GeoReport v2 under /open311/v2/."""

from django.urls import path, re_path

from . import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    path("v2/", views.service_list, {"fmt": "xml"}, name="root"),
    re_path(r"^v2/services" + FMT, views.service_list, name="services"),
    re_path(
        r"^v2/services/(?P<code>[^/]+)" + FMT,
        views.service_definition,
        name="service",
    ),
    re_path(r"^v2/requests" + FMT, views.requests, name="requests"),
    re_path(
        r"^v2/requests/(?P<number>[^/]+)" + FMT, views.request_detail, name="request"
    ),
    path("v2/requests/<str:number>/media", views.media, name="media"),
    re_path(r"^v2/tokens/(?P<token>[^/]+)" + FMT, views.token, name="token"),
    # Anything else under v2 answers the specification's 404.
    re_path(r"^v2/.*?" + FMT, views.unknown),
    re_path(r"^v2/.+$", views.unknown, {"fmt": "xml"}),
]
