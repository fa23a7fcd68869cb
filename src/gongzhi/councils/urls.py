"""Councils: the workbench's desk and the chair's page, the resident's
phone pages, and each community's public page (公示)."""

from django.urls import path

from .views import portal, public, workbench

app_name = "councils"
W = "workbench/councils/"
M = W + "meetings/<int:meeting_id>/"
P = "portal/councils/"
urlpatterns = [
    path(W, workbench.home, name="home"),
    path(W + "collections/new/", workbench.collection_new, name="collection_new"),
    path(
        W + "collections/<int:collection_id>/",
        workbench.collection_page,
        name="collection",
    ),
    path(W + "topics/new/", workbench.topic_new, name="topic_new"),
    path(W + "topics/<int:topic_id>/", workbench.topic_page, name="topic"),
    path(W + "topics/<int:topic_id>/act/", workbench.topic_act, name="topic_act"),
    path(W + "councils/new/", workbench.council_new, name="council_new"),
    path(W + "councils/<int:council_id>/", workbench.council_page, name="council"),
    path(M, workbench.meeting_page, name="meeting"),
    path(M + "live/", workbench.meeting_live, name="meeting_live"),
    path(M + "act/", workbench.meeting_act, name="meeting_act"),
    path(M + "code/", workbench.meeting_code, name="meeting_code"),
    path(M + "notice/", workbench.meeting_notice, name="meeting_notice"),
    path(M + "minutes/", workbench.meeting_minutes, name="meeting_minutes"),
    path(W + "photos/<str:kind>/<int:photo_id>/", workbench.photo, name="photo"),
    path(P, portal.portal_home, name="portal_home"),
    path(
        P + "collections/<int:collection_id>/",
        portal.portal_collection,
        name="portal_collection",
    ),
    path(
        P + "suggestions/<int:suggestion_id>/support/",
        portal.portal_support,
        name="portal_support",
    ),
    path(P + "photos/<int:photo_id>/", portal.portal_photo, name="portal_photo"),
    path(
        P + "meetings/<int:meeting_id>/", portal.portal_meeting, name="portal_meeting"
    ),
    path(P + "meetings/<int:meeting_id>/scan/", portal.portal_scan, name="portal_scan"),
    path(P + "votes/<int:vote_id>/", portal.portal_vote, name="portal_vote"),
    path("public/councils/<int:community_id>/", public.public_page, name="public"),
    path(
        "public/councils/<int:community_id>/topics/<int:topic_id>/",
        public.public_topic,
        name="public_topic",
    ),
]
