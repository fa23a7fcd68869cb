"""Writing Excel for people outside the system: every workbook that leaves
carries a watermark naming who exported it and when."""

from django.utils import timezone
from django.utils.translation import gettext as _


def watermark(*, by, at=None) -> str:
    """The line that marks an export as ``by``'s (a user: her name and
    phone) at ``at`` (now when None), for official use only."""
    at = timezone.localtime(at or timezone.now())
    return _(
        "Exported by %(name)s %(phone)s · %(time)s · for official use only, "
        "do not pass on"
    ) % {"name": by.name, "phone": by.phone, "time": f"{at:%Y-%m-%d %H:%M}"}
