"""imports pages."""

urlpatterns = []
