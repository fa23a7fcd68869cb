from django.urls import path

from . import views

app_name = "notices"
N = "workbench/notices/"
R = N + "<int:notice_id>/areas/<int:area_id>/"

urlpatterns = [
    path("messages/", views.message_list, name="messages"),
    path("messages/<int:message_id>/", views.message_open, name="message"),
    path("messages/read-all/", views.message_read_all, name="read_all"),
    path("messages/settings/", views.message_settings, name="settings"),
    path("portal/notices/", views.portal_notices, name="portal_notices"),
    path("portal/notices/<int:notice_id>/", views.portal_notice, name="portal_notice"),
    path(
        "portal/notices/<int:notice_id>/files/<int:file_id>/",
        views.portal_notice_file,
        name="portal_notice_file",
    ),
    path(N, views.notice_list, name="notices"),
    path(N + "new/", views.notice_new, name="new"),
    path(R, views.notice_receipts, name="receipts"),
    path(R + "files/<int:file_id>/", views.notice_file, name="file"),
    path("workbench/outbox/", views.outbox, name="outbox"),
    path("workbench/outbox/retry/", views.outbox_retry, name="outbox_retry"),
]
