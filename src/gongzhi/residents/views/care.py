"""care pages."""

urlpatterns = []
