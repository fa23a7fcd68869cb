from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "gongzhi.notices"
    label = "notices"
    verbose_name = _("Notices and messages")

    def ready(self) -> None:
        from .events import subscribe_all

        # The domain apps announce what happened; the messages follow in
        # the same transaction (the outbox), so no domain app calls us.
        subscribe_all()
