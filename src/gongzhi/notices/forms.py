"""The forms of the notices and message-centre pages. Field names follow
the services', so a refusal lands on the field it names."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.requests.views._forms import MultipleFileInput, PhotosField


class NoticeForm(forms.Form):
    area = forms.ChoiceField(label=_("Send to"))
    title = forms.CharField(
        label=pgettext_lazy("notice", "Title"), required=False, max_length=100
    )
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    tag = forms.ChoiceField(label=_("Only a key-population group"), required=False)
    team = forms.ChoiceField(label=_("Only the members of a team"), required=False)
    pinned = forms.BooleanField(label=_("Pinned (置顶)"), required=False)
    expires_at = forms.DateTimeField(
        label=_("Shown until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    images = PhotosField(label=_("Images"), help_text=_("Up to 9 photos."))
    attachments = PhotosField(
        label=_("Attachments"),
        help_text=_("PDF, Word, Excel, PowerPoint or text; up to 20 MB each."),
        widget=MultipleFileInput(attrs={"multiple": True}),
    )

    def __init__(self, *args, places, tags, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", _("Choose…")), *places]
        self.fields["tag"].choices = [("", _("Everyone there")), *tags]
        self.fields["team"].choices = [("", _("Everyone there")), *teams]


class PreferenceForm(forms.Form):
    """One category's external channels (the message centre always)."""

    category = forms.CharField(widget=forms.HiddenInput)
    sms = forms.BooleanField(label=_("SMS"), required=False)
    wechat = forms.BooleanField(label=_("WeChat"), required=False)
    wecom = forms.BooleanField(label=_("WeCom (企业微信)"), required=False)


class QuietForm(forms.Form):
    start = forms.TimeField(
        label=_("Quiet from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    end = forms.TimeField(
        label=_("Quiet until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
