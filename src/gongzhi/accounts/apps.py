from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gongzhi.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from gongzhi.areas.scoping import grant_paths_from

        from .selectors import grant_paths_with_perm

        grant_paths_from(grant_paths_with_perm)
