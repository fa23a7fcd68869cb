"""What every app's models build on and no domain owns."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TransitionRecord(models.Model):
    """One step of a row's workflow: who took which action, when and why,
    from which status to which. Each app subclasses it with a foreign key
    to its own row (``core.workflow.Workflow.subject`` names it), so its
    history is a table of its own, readable and indexed per app.
    Appended by ``core.workflow``, never changed or deleted."""

    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    # What else the step carried (a refund's transfer, a points amount);
    # an app whose steps carry typed columns sets it to None.
    extra = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]
