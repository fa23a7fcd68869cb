"""通知公告 and the message centre.

A ``Notice`` is published by staff to an area (a community, an estate, a
building), optionally narrowed to the people of one key-population tag or
the members of one team. Publishing fans it out: one ``NoticeReceipt`` per
person it reaches (their building copied, so read and unread are counted
per building without walking the tree), and one ``Message`` in the message
centre of each of them who has a portal account.

A ``Message`` is one thing one user is told (a notice, a request
dispatched to her team, points awarded …), in one ``Category``. Its
``key`` names the event it tells of: a user is told of one event once,
however often it is announced. Each ``Delivery`` is the message on one
external channel (SMS, WeChat, 企业微信), written in the same transaction
as the message (the outbox) and sent by the workers at least once; its
``key`` (event, recipient, channel) is unique, so nothing is sent twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.areas.models import Area


class Category(models.TextChoices):
    """What a message is about; preferences are kept per category."""

    NOTICE = "notice", _("Notices")
    REQUEST = "request", _("My requests")
    WORK = "work", _("Work to do")
    DEADLINE = "deadline", _("Deadlines and escalations")
    CARE = "care", _("Visits due")
    ACTIVITY = "activity", _("Activities")
    POINTS = "points", _("Points")
    # Council meetings and votes, selections' votes and results: their apps
    # announce them and notices will tell them in this category.
    COUNCIL = "council", _("Councils and selections")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("Message centre")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    WECOM = "wecom", _("WeCom (企业微信)")


EXTERNAL = (Channel.SMS, Channel.WECHAT, Channel.WECOM)


def notice_file_path(instance, filename: str) -> str:
    return f"notices/{instance.notice_id}/{filename}"


class Notice(models.Model):
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    tag = models.ForeignKey(
        "residents.TagType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("key-population group"),
    )
    team = models.ForeignKey(
        "volunteering.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    pinned = models.BooleanField(_("pinned"), default=False)
    expires_at = models.DateTimeField(_("shown until"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    # Filled by the fan-out: how many it reached, and when it was done.
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-pinned", "-published_at", "-pk"]
        indexes = [models.Index(fields=["published_at"], name="notice_published")]

    def __str__(self) -> str:
        return self.title


class FileKind(models.TextChoices):
    IMAGE = "image", _("Image")
    ATTACHMENT = "attachment", _("Attachment")


class NoticeFile(models.Model):
    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="files", verbose_name=_("notice")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=FileKind.choices)
    file = models.FileField(_("file"), upload_to=notice_file_path, max_length=200)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("type"), max_length=80)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("notice file")
        verbose_name_plural = _("notice files")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class NoticeReceipt(models.Model):
    """One person a notice reached, and whether she has read it."""

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="receipts"
    )
    person = models.ForeignKey(
        "residents.Person", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    household = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "person"], name="notices_receipt_unique"
            )
        ]
        indexes = [
            models.Index(fields=["notice", "building"], name="receipt_building"),
            models.Index(fields=["user", "notice"], name="receipt_user"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} → {self.person_id}"


class Message(models.Model):
    """One thing one user is told, in the message centre."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    title = models.CharField(_("title"), max_length=120)
    body = models.CharField(_("text"), max_length=500, blank=True)
    url = models.CharField(_("link"), max_length=200, blank=True)
    # Where the event happened: what an administrator's outbox is scoped by.
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    key = models.CharField(max_length=120)
    created_at = models.DateTimeField(
        pgettext_lazy("notice", "sent at"), default=timezone.now
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notices_message_once")
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="message_unread"),
            models.Index(fields=["user", "created_at"], name="message_user"),
        ]

    def __str__(self) -> str:
        return self.title


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """A message on one external channel: the outbox row a worker sends."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    key = models.CharField(max_length=160, unique=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    # Not before the end of the recipient's quiet hours, nor before the
    # provider's throttle has passed.
    not_before = models.DateTimeField(_("not before"), default=timezone.now)
    # A worker's claim: past it, a claim whose worker died is taken again.
    lease_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    backend = models.CharField(_("sent through"), max_length=20, blank=True)
    provider_ref = models.CharField(
        _("provider's reference"), max_length=80, blank=True
    )
    error = models.CharField(_("last error"), max_length=300, blank=True)
    sent_at = models.DateTimeField(
        pgettext_lazy("notice", "sent at"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "not_before"], name="delivery_due"),
        ]

    def __str__(self) -> str:
        return self.key


class Preference(models.Model):
    """Which external channels tell a user of one category (the message
    centre always does)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    sms = models.BooleanField(_("SMS"), default=False)
    wechat = models.BooleanField(_("WeChat"), default=False)
    wecom = models.BooleanField(_("WeCom (企业微信)"), default=False)

    class Meta:
        verbose_name = _("message preference")
        verbose_name_plural = _("message preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "category"], name="notices_preference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.category}"


class QuietHours(models.Model):
    """When external channels wait (22:00–07:00 say); the message centre
    stores what comes meanwhile at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    start = models.TimeField(_("quiet from"))
    end = models.TimeField(_("quiet until"))

    class Meta:
        verbose_name = _("quiet hours")
        verbose_name_plural = _("quiet hours")
        constraints = [
            models.CheckConstraint(
                condition=~Q(start=models.F("end")), name="notices_quiet_not_empty"
            )
        ]

    def __str__(self) -> str:
        return f"{self.start}–{self.end}"


class Address(models.Model):
    """Where a user is reached on a channel other than SMS: her WeChat
    openid (the mini-program binds it), her 企业微信 userid."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    value = models.CharField(_("address"), max_length=64)

    class Meta:
        verbose_name = _("channel address")
        verbose_name_plural = _("channel addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "channel"], name="notices_address_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.channel}"
