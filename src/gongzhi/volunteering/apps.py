from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "gongzhi.volunteering"
    verbose_name = _("Volunteering and activities")

    def ready(self):
        from gongzhi.orgs.service_hours import service_hours_from

        from .selectors import hours_by_person, service_record

        service_hours_from(by_person=hours_by_person, record=service_record)
