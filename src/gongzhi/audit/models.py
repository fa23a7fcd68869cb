from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    TOKEN_ISSUED = "token_issued", _("API token issued")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    AREA_CREATED = "area_created", _("Area added")
    AREA_RENAMED = "area_renamed", _("Area renamed")
    AREA_MOVED = "area_moved", _("Area moved")
    AREA_RETIRED = "area_retired", _("Area retired")
    AREA_RESTORED = "area_restored", _("Area restored")
    AREA_DELETED = "area_deleted", _("Area deleted")
    GRANT_CREATED = "grant_created", _("Role granted")
    GRANT_REVOKED = "grant_revoked", _("Role revoked")
    USER_CREATED = "user_created", _("Account created")
    PASSWORD_SET = "password_set", _("Password set")
    PERSONAL_VIEWED = "personal_viewed", _("Personal data viewed in full")
    PERSONAL_EXPORTED = "personal_exported", _("Personal data exported")
    PERSON_CREATED = "person_created", _("Person registered")
    PERSON_UPDATED = "person_updated", _("Person's record changed")
    PERSON_MOVED_IN = "person_moved_in", _("Person moved in")
    PERSON_MOVED_OUT = "person_moved_out", _("Person moved out")
    PERSON_DECEASED = "person_deceased", _("Death recorded")
    PEOPLE_IMPORTED = "people_imported", _("People imported")
    VISIT_RECORDED = "visit_recorded", _("Visit recorded")
    INCIDENT_RECORDED = "incident_recorded", _("Incident recorded")
    ATTENDANCE_MARKED = "attendance_marked", _("Attendance marked by hand")
    HOURS_CORRECTED = "hours_corrected", _("Service hours corrected")


class Event(models.Model):
    """One line of the audit trail. Appended, never changed."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    target_type = models.CharField(_("object type"), max_length=50, blank=True)
    target_id = models.CharField(_("object id"), max_length=50, blank=True)
    target_label = models.CharField(_("object"), max_length=200, blank=True)
    # Where in the tree it happened, so an audit admin sees their subtree.
    area_path = models.CharField(_("area path"), max_length=255, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["area_path", "at"], name="audit_area_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"
