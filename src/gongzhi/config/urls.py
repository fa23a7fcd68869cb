from django.urls import include, path

from gongzhi.residents.views.people import portal_record
from gongzhi.web.views import healthz

from .api import api

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("open311/", include("gongzhi.requests.open311.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("gongzhi.accounts.urls")),
    path("", include("gongzhi.web.urls")),
    path("", include("gongzhi.areas.urls")),
    path("", include("gongzhi.audit.urls")),
    path("", include("gongzhi.jobs.urls")),
    path("workbench/residents/", include("gongzhi.residents.urls")),
    path("", include("gongzhi.points.urls")),
    path("", include("gongzhi.volunteering.feed_urls")),
    path("", include("gongzhi.volunteering.urls")),
    path("", include("gongzhi.orgs.urls")),
    path("", include("gongzhi.insights.urls_rates")),
    path("", include("gongzhi.insights.urls_dashboard")),
    path("", include("gongzhi.requests.urls")),
    path("", include("gongzhi.selections.urls")),
    path("", include("gongzhi.councils.urls")),
    path("", include("gongzhi.notices.urls")),
    path("portal/me/record/", portal_record, name="portal_record"),
]
