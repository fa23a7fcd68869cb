"""Organizations, the service chain and 双报到 in the workbench; 双报到 on
the resident's phone."""

from django.urls import path

from .views import portal, workbench

app_name = "orgs"
W = "workbench/orgs/"
urlpatterns = [
    path("portal/party/", portal.portal_party, name="portal_party"),
    path(W, workbench.orgs_home, name="home"),
    path(W + "new/", workbench.org_new, name="new"),
    path(W + "agreements/new/", workbench.agreement_new, name="agreement_new"),
    path(W + "estates/<int:area_id>/chain/", workbench.chain_page, name="chain"),
    path(W + "party-members/", workbench.pool_page, name="pool"),
    path(
        W + "party-members/by-unit/",
        workbench.pool_by_unit_page,
        name="pool_by_unit",
    ),
    path(
        W + "party-members/by-unit/export.xlsx",
        workbench.pool_report,
        name="pool_report",
    ),
    path(
        W + "registrations/<int:registration_id>/decide/",
        workbench.registration_decide,
        name="registration_decide",
    ),
]
