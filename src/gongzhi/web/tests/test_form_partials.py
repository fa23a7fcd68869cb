"""The shared form partials: what a person sees of a form's fields."""

import pytest
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


# Choices: a prompt for Django's dashes, a lone required option chosen.


class _Choices(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=[("", "---------"), ("a", "甲")])
    size = forms.ChoiceField(
        label="大小", choices=[("", "---------"), ("s", "小"), ("l", "大")]
    )
    note = forms.ChoiceField(
        label="备注", required=False, choices=[("", "---------"), ("x", "X")]
    )


def test_dashes_become_a_prompt_and_a_lone_required_option_is_chosen():
    html = render_to_string("web/_form.html", {"form": _Choices()})
    assert "---------" not in html
    assert "请选择" in html
    assert '<option value="a" selected>甲</option>' in html
    assert '<option value="s">小</option>' in html  # a real choice stays open


@pytest.mark.django_db
def test_a_staff_member_with_one_community_has_it_chosen(client, users, areas):
    client.force_login(users["staff"])
    html = client.get("/workbench/activities/new/").content.decode()
    assert "---------" not in html
    community = areas["community"]
    assert f'<option value="{community.pk}" selected>' in html
