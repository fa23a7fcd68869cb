from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsConfig(AppConfig):
    name = "gongzhi.requests"
    label = "requests"
    verbose_name = _("Requests (急难愁盼)")
