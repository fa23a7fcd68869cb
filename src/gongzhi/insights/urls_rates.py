"""The workbench page of the three rates (三率)."""

from django.urls import path

from .views_rates import rates_page

app_name = "requests_rates"
urlpatterns = [
    path("workbench/requests/rates/", rates_page, name="rates"),
]
