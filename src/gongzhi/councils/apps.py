from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    name = "gongzhi.councils"
    verbose_name = _("Councils (议事协商)")
