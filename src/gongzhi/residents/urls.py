"""The residents app's pages: each part (registry, import/export, care)
keeps its own url list in its views module."""

from .views import care, imports, people, properties

app_name = "residents"
urlpatterns = [
    *people.urlpatterns,
    *imports.urlpatterns,
    *care.urlpatterns,
    *properties.urlpatterns,
]
