"""The shared form partials: what a person sees of a form's fields."""

from django import forms
from django.template.loader import render_to_string


class _Keyed(forms.Form):
    quantity = forms.IntegerField(label="数量")
    key = forms.CharField(widget=forms.HiddenInput)


def test_a_hidden_field_is_sent_without_a_label():
    html = render_to_string("web/_form.html", {"form": _Keyed(initial={"key": "k1"})})
    assert '<input type="hidden" name="key" value="k1"' in html
    assert "Key" not in html
    assert '<label for="id_quantity">数量</label>' in html


def test_a_hidden_fields_error_is_shown_with_the_forms_own():
    form = _Keyed({"quantity": "1"})
    assert not form.is_valid()
    html = render_to_string("web/_form.html", {"form": form})
    assert "Key" not in html
    assert 'class="form-errors"' in html


def test_the_setup_and_care_partials_leave_hidden_fields_unlabelled():
    form = _Keyed(initial={"key": "k1"})
    setup = render_to_string(
        "requests/workbench/setup/_form_fields.html", {"form": form}
    )
    care = render_to_string("residents/care/_field.html", {"field": form["key"]})
    for html in (setup, care):
        assert '<input type="hidden" name="key" value="k1"' in html
        assert "Key" not in html
