"""people pages."""

urlpatterns = []
