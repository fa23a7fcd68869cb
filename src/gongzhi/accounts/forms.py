from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ValidationFailed

from .phones import clean_phone
from .roles import Role


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Phone number"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"autocomplete": "tel", "inputmode": "tel", "autofocus": True}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return clean_phone(value)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from exc


class LoginForm(forms.Form):
    phone = PhoneField()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _("The phone number or password is not correct."),
        "locked_out": _("Too many failed logins. Try again in 15 minutes."),
    }

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        phone, password = cleaned.get("phone"), cleaned.get("password")
        if phone and password:
            self.user = authenticate(self.request, phone=phone, password=password)
            if getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError(self.error_messages["locked_out"])
            if self.user is None:
                raise forms.ValidationError(self.error_messages["invalid_login"])
        return cleaned


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )


class AccountCreateForm(forms.Form):
    phone = PhoneField()
    name = forms.CharField(label=_("Full name"))
    password = forms.CharField(
        label=_("Initial password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )


class GrantForm(forms.Form):
    phone = PhoneField(help_text=_("The phone number the person logs in with."))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, roles: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if roles is not None:
            self.fields["role"].choices = [
                (value, label) for value, label in Role.choices if value in roles
            ]
