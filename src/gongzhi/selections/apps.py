from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelectionsConfig(AppConfig):
    name = "gongzhi.selections"
    verbose_name = _("Selections and honours (评选表彰)")
