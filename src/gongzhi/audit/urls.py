from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [path("workbench/audit/", views.event_index, name="events")]
