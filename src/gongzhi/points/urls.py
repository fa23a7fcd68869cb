"""The points supermarket's pages: the resident's on her phone, the
workbench's for staff and managers."""

from .views import portal, workbench

app_name = "points"
urlpatterns = [*portal.urlpatterns, *workbench.urlpatterns]
