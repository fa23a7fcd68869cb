from django.urls import path

from . import views

app_name = "areas"
urlpatterns = [
    path("workbench/areas/<int:area_id>/", views.area_detail, name="detail"),
    path("workbench/areas/search/", views.area_search, name="search"),
    path("workbench/areas/<int:area_id>/add/", views.area_create, name="create"),
    path("workbench/areas/<int:area_id>/rename/", views.area_rename, name="rename"),
    path("workbench/areas/<int:area_id>/move/", views.area_move, name="move"),
    path("workbench/areas/<int:area_id>/retire/", views.area_retire, name="retire"),
    path("workbench/areas/<int:area_id>/restore/", views.area_restore, name="restore"),
    path("workbench/areas/<int:area_id>/delete/", views.area_delete, name="delete"),
]
