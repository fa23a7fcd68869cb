from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("workbench/", views.workbench, name="workbench"),
    path("portal/", views.portal, name="portal"),
    path("account/", views.account, name="account"),
    path("favicon.ico", views.favicon, name="favicon"),
]
