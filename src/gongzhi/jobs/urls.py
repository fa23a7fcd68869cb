from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("workbench/jobs/", views.schedule_page, name="schedule"),
    path("workbench/jobs/failures/", views.failures_page, name="failures"),
    path(
        "workbench/jobs/failures/<str:pk>/retry/",
        views.failure_retry,
        name="retry",
    ),
    path("workbench/jobs/<str:pk>/status/", views.job_status, name="status"),
]
