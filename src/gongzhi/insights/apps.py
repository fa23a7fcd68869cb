from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "gongzhi.insights"
    label = "insights"
    verbose_name = _("Insights (统计)")

    def ready(self) -> None:
        from gongzhi.core.hooks import subscribe
        from gongzhi.requests import events as request_events

        from .rollups import on_requests_changed

        # Requests announce their changes; the rollups follow them inside
        # the same transaction.
        subscribe(request_events.CHANGED, on_requests_changed)
