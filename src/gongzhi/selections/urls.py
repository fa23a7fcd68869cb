"""Selections on the workbench, on the resident's phone, and in public."""

from django.urls import path

from .views import portal, public, workbench

app_name = "selections"
W = "workbench/selections/"
N = W + "nominations/<int:nomination_id>/"
urlpatterns = [
    path(W, workbench.home, name="home"),
    path(W + "new/", workbench.selection_new, name="new"),
    path(W + "kinds/", workbench.kinds_page, name="kinds"),
    path(W + "<int:selection_id>/", workbench.selection_page, name="selection"),
    path(W + "<int:selection_id>/act/", workbench.selection_act, name="selection_act"),
    path(W + "<int:selection_id>/nominate/", workbench.nominate, name="nominate"),
    path(N, workbench.nomination_page, name="nomination"),
    path(N + "act/", workbench.nomination_act, name="nomination_act"),
    path(N + "certificate/", workbench.certificate, name="certificate"),
    path(W + "photos/<int:photo_id>/", workbench.photo, name="photo"),
    path(W + "flags/<int:flag_id>/decide/", workbench.flag_decide, name="flag_decide"),
    path(
        W + "objections/<int:objection_id>/answer/",
        workbench.objection_answer,
        name="objection_answer",
    ),
    path("portal/selections/", portal.portal_home, name="portal_home"),
    path(
        "portal/selections/<int:selection_id>/",
        portal.portal_selection,
        name="portal_selection",
    ),
    path(
        "portal/selections/<int:selection_id>/nominate/",
        portal.portal_nominate,
        name="portal_nominate",
    ),
    path(
        "portal/selections/<int:selection_id>/vote/",
        portal.portal_vote,
        name="portal_vote",
    ),
    path(
        "portal/selections/nominations/<int:nomination_id>/answer/",
        portal.portal_answer,
        name="portal_answer",
    ),
    path("honours/<int:area_id>/", public.roll_page, name="roll"),
    path(
        "honours/publicity/<int:selection_id>/",
        public.publicity_page,
        name="publicity",
    ),
    path(
        "honours/nominations/<int:nomination_id>/object/",
        public.object_post,
        name="object",
    ),
    path("honours/photos/<int:photo_id>/", public.public_photo, name="public_photo"),
]
