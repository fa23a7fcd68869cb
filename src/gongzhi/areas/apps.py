from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "gongzhi.areas"
    verbose_name = _("Areas")

    def ready(self):
        # Registers the ``path__within`` lookup on the tree's path field.
        from . import tree  # noqa: F401
