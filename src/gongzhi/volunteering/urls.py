"""Activities on the resident's phone, and the organizer's check-in code."""

from django.urls import path

from . import views

app_name = "volunteering"
urlpatterns = [
    path("portal/activities/", views.portal_activities, name="portal_activities"),
    path("portal/activities/mine/", views.portal_service, name="portal_service"),
    path(
        "portal/activities/<int:session_id>/",
        views.portal_session,
        name="portal_session",
    ),
    path(
        "portal/activities/<int:session_id>/signup/",
        views.portal_signup,
        name="portal_signup",
    ),
    path(
        "portal/activities/<int:session_id>/cancel/",
        views.portal_signup_cancel,
        name="portal_signup_cancel",
    ),
    path(
        "portal/activities/<int:session_id>/scan/",
        views.portal_scan,
        name="portal_scan",
    ),
    path(
        "portal/activities/<int:session_id>/code/",
        views.portal_code,
        name="portal_code",
    ),
]
