"""Activities on the resident's phone, the organizer's check-in code, and
the workbench's sessions, teams, figures and certificates."""

from django.urls import path

from .views import portal, workbench

app_name = "volunteering"
W = "workbench/activities/"
S = W + "sessions/<int:session_id>/"
urlpatterns = [
    path("portal/activities/", portal.portal_activities, name="portal_activities"),
    path("portal/activities/mine/", portal.portal_service, name="portal_service"),
    path("portal/activities/new/", portal.portal_publish, name="portal_publish"),
    path(
        "portal/activities/<int:session_id>/",
        portal.portal_session,
        name="portal_session",
    ),
    path(
        "portal/activities/<int:session_id>/signup/",
        portal.portal_signup,
        name="portal_signup",
    ),
    path(
        "portal/activities/<int:session_id>/cancel/",
        portal.portal_signup_cancel,
        name="portal_signup_cancel",
    ),
    path(
        "portal/activities/<int:session_id>/scan/",
        portal.portal_scan,
        name="portal_scan",
    ),
    path(
        "portal/activities/<int:session_id>/photo/",
        portal.portal_photo,
        name="portal_photo",
    ),
    path(
        "portal/activities/<int:session_id>/code/",
        portal.portal_code,
        name="portal_code",
    ),
    path(W, workbench.activities_home, name="home"),
    path(W + "new/", workbench.activity_new, name="new"),
    path(W + "figures/", workbench.figures_page, name="figures"),
    path(W + "teams/", workbench.teams_page, name="teams"),
    path(
        W + "applications/<int:member_id>/decide/",
        workbench.member_decide,
        name="member_decide",
    ),
    path(
        W + "people/<int:person_id>/certificate/",
        workbench.certificate,
        name="certificate",
    ),
    path(S, workbench.session_page, name="session"),
    path(S + "mark/", workbench.session_mark, name="session_mark"),
    path(S + "walkins/", workbench.session_walkins, name="session_walkins"),
    path(S + "photo/", workbench.session_photo, name="session_photo"),
    path(
        S + "hours/<int:attendance_id>/",
        workbench.attendance_hours,
        name="attendance_hours",
    ),
    path(S + "confirm/", workbench.session_confirm, name="session_confirm"),
    path(S + "cancel/", workbench.session_cancel, name="session_cancel"),
    path(S + "activity/cancel/", workbench.activity_cancel, name="activity_cancel"),
    path(S + "activity/finish/", workbench.activity_finish, name="activity_finish"),
]
