from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "gongzhi.insights"
    label = "insights"
    verbose_name = _("Insights (统计)")

    def ready(self) -> None:
        from gongzhi.core.hooks import subscribe
        from gongzhi.orgs import events as org_events
        from gongzhi.points import events as point_events
        from gongzhi.requests import events as request_events
        from gongzhi.residents import events as resident_events
        from gongzhi.volunteering import events as volunteering_events

        from . import readers
        from .dashboard_rollups import on_changed, on_requests_changed_figures
        from .rollups import on_requests_changed

        # Requests announce their changes; the rollups follow them inside
        # the same transaction: first the three rates' buckets, then the
        # dashboards' figures read from them.
        subscribe(request_events.CHANGED, on_requests_changed)
        subscribe(request_events.CHANGED, on_requests_changed_figures)
        for event in (
            resident_events.CHANGED,
            volunteering_events.CHANGED,
            org_events.CHANGED,
            point_events.CHANGED,
        ):
            subscribe(event, on_changed(event))
        # The points and volunteering figures pages read the rollups.
        readers.install()
