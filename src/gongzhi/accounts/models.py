import hashlib

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from gongzhi.areas.models import Area
from gongzhi.core import crypto

from .phones import normalize_phone
from .roles import Role


def phone_index(phone: str) -> str:
    return crypto.blind_index(normalize_phone(phone), purpose="phone")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, phone):
        return self.get(phone_index=phone_index(phone))

    def create_user(self, phone: str, name: str, password: str | None = None):
        user = self.model(name=name)
        user.set_phone(phone)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """A person who logs in with a phone number.

    The number is personal data: stored encrypted and found through its
    blind index, which is the natural key Django's login looks up.
    """

    phone_index = models.CharField(_("phone index"), max_length=64, unique=True)
    phone_encrypted = models.TextField(_("phone (encrypted)"))
    name = models.CharField(_("name"), max_length=50)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    USERNAME_FIELD = "phone_index"
    REQUIRED_FIELDS = ["name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return f"{self.name} ({self.phone_masked})"

    def set_phone(self, phone: str) -> None:
        phone = normalize_phone(phone)
        self.phone_index = phone_index(phone)
        self.phone_encrypted = crypto.encrypt(phone)
        self.__dict__.pop("phone", None)

    @cached_property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted)

    @property
    def phone_masked(self) -> str:
        return crypto.mask_phone(self.phone)


class Grant(models.Model):
    """A role held by a user on an area node, reaching its subtree.

    Revoking keeps the row (who granted what, when, and who revoked it).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="grants",
        verbose_name=_("user"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="grants", verbose_name=_("area")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "area", "role"],
                condition=Q(revoked_at__isnull=True),
                name="grant_unique_active",
            )
        ]
        indexes = [models.Index(fields=["user", "revoked_at"], name="grant_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} @ {self.area_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"token {self.pk} of user {self.user_id}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
