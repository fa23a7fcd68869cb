"""The 数据大屏 pages, their JSON and downloads, and the comparison."""

from django.urls import path

from . import views_dashboard as views

app_name = "insights"
S = "workbench/insights/screen/"
urlpatterns = [
    path(S, views.screen_home, name="screen_home"),
    path(S + "<int:area_id>/", views.screen_page, name="screen"),
    path(S + "<int:area_id>/data.json", views.screen_data, name="screen_data"),
    path(S + "<int:area_id>/download", views.screen_download, name="screen_download"),
    path("workbench/insights/compare/", views.compare_page, name="compare"),
]
