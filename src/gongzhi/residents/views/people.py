"""The household registry's pages: the people list with its search and
filters, a person's record (masked, with an audited reveal), registering
and correcting people, moving them in and out, recording a death, tags,
a household's members and history, and the resident's own record in the
portal.

People are read where the user sees personal data (masked) and changed
where she manages residents; anywhere else answers 404.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.accounts.decorators import perm_required
from gongzhi.accounts.roles import Perm
from gongzhi.accounts.selectors import user_can
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import in_scope, scoped, subtree_q
from gongzhi.core.errors import DomainError
from gongzhi.core.forms import add_domain_error

from ..forms import PeopleFilterForm
from ..idnumbers import parse_resident_id
from ..models import (
    Gender,
    IdType,
    Membership,
    Person,
    PersonStatus,
    PersonTag,
    Relation,
    Residency,
    TagType,
)
from ..selectors.care import addresses
from ..selectors.people import open_tags, people_search, person_get
from ..services import people as services
from ..services.exports import export_full_allowed
from ..services.people import NAME_MAX_LENGTH, tag_types_for
from .tags import urlpatterns as tag_urlpatterns

PAGE_SIZE = 50
HOUSEHOLD_CHOICES = 30
REASON_MAX_LENGTH = 200
NOTE_MAX_LENGTH = 1000

# Reads shared with the API


def age_on(birth: dt.date | None, today: dt.date) -> int | None:
    if birth is None:
        return None
    return (
        today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    )


def open_memberships(people) -> dict[int, Membership]:
    """The stay each of ``people`` has now, in one query."""
    return {
        m.person_id: m
        for m in Membership.objects.filter(
            person__in=[p.pk for p in people], moved_out__isnull=True
        )
    }


def household_members(household: Area) -> list[tuple[Person, Membership]]:
    """Who lives in ``household`` now, the head first."""
    stays = (
        Membership.objects.filter(household=household, moved_out__isnull=True)
        .select_related("person")
        .order_by("moved_in", "pk")
    )
    order = {value: i for i, value in enumerate(Relation.values)}
    return sorted(
        ((m.person, m) for m in stays), key=lambda pair: order[pair[1].relation]
    )


def household_history(household: Area) -> list[Membership]:
    """Everyone who ever lived in ``household``, newest stay first."""
    return list(
        Membership.objects.filter(household=household)
        .select_related("person")
        .order_by("-moved_in", "-pk")
    )


def person_history(person: Person) -> list[Membership]:
    """A person's stays, newest first, each with its ``address``."""
    stays = list(
        person.memberships.select_related("household").order_by("-moved_in", "-pk")
    )
    labels = addresses(paths={m.household.path for m in stays})
    for stay in stays:
        stay.address = labels.get(stay.household.path, "")
    return stays


def person_tags(person: Person) -> list[PersonTag]:
    """Every tag a person has carried, current ones first."""
    return sorted(
        person.tags.select_related("tag"),
        key=lambda t: (t.end is not None, t.tag.position, -t.start.toordinal()),
    )


def household_search(*, user, text: str, perm: str = Perm.RESIDENT_MANAGE):
    """Households where ``user`` holds ``perm`` matching "航院 1号楼 101": the
    last word is the household, the words before name places above it."""
    words = text.split()
    if not words:
        return []
    areas = scoped(Area.objects.all(), user=user, via="", perm=perm).filter(
        retired_at__isnull=True
    )
    found = areas.filter(kind=Kind.HOUSEHOLD, name__icontains=words[-1])
    for word in words[:-1]:
        above = list(
            areas.exclude(kind=Kind.HOUSEHOLD)
            .filter(name__icontains=word)
            .values_list("path", flat=True)[:200]
        )
        found = found.filter(subtree_q(above))
    found = list(found.order_by("path")[:HOUSEHOLD_CHOICES])
    labels = addresses(paths={h.path for h in found})
    return [(h, labels.get(h.path, h.name)) for h in found]


def person_changes(person: Person, changes: dict) -> dict:
    """Changes for ``person_update``: a new resident ID brings its own
    birth date and gender, unless they were changed too."""
    id_type = changes.get("id_type") or person.id_type
    number = changes.get("id_number")
    if number and id_type == IdType.RESIDENT_ID:
        parsed = parse_resident_id(number)
        if changes.get("birth_date") in (None, person.birth_date):
            changes["birth_date"] = parsed.birth_date
        if changes.get("gender") in (None, "", person.gender):
            changes["gender"] = parsed.gender
    return changes


# Forms

DATE_WIDGET = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _today() -> dt.date:
    return timezone.localdate()


class PersonForm(forms.Form):
    """Register a person; ``editing`` drops the household fields and keeps
    the stored ID and phone when their boxes stay empty."""

    name = forms.CharField(label=gettext_lazy("Full name"), max_length=NAME_MAX_LENGTH)
    id_type = forms.ChoiceField(
        label=gettext_lazy("Document type"),
        choices=IdType.choices,
        initial=IdType.RESIDENT_ID,
    )
    id_number = forms.CharField(
        label=gettext_lazy("Document number"),
        required=False,
        max_length=40,
        help_text=gettext_lazy(
            "For a resident ID card, the date of birth and gender are read from "
            "the number."
        ),
    )
    gender = forms.ChoiceField(
        label=gettext_lazy("Gender"),
        required=False,
        choices=[("", "—"), *Gender.choices],
    )
    birth_date = forms.DateField(
        label=gettext_lazy("Date of birth"), required=False, widget=DATE_WIDGET
    )
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone"), required=False, max_length=20
    )
    relation = forms.ChoiceField(
        label=gettext_lazy("Relation to the head of household"),
        choices=Relation.choices,
    )
    residency = forms.ChoiceField(
        label=gettext_lazy("Residency type"), choices=Residency.choices
    )
    moved_in = forms.DateField(
        label=gettext_lazy("Moved in on"),
        required=False,
        widget=DATE_WIDGET,
        help_text=gettext_lazy("Empty means today."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, person: Person | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        if person is not None:
            for name in ("relation", "residency", "moved_in"):
                del self.fields[name]
            keep = _("Leave empty to keep %(value)s.")
            self.fields["id_number"].help_text = keep % {
                "value": person.id_number_masked or "—"
            }
            self.fields["phone"].help_text = keep % {
                "value": person.phone_masked or "—"
            }


class MoveOutForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Moved out on"), widget=DATE_WIDGET, initial=_today
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=REASON_MAX_LENGTH
    )


class DeathForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Date of death"), widget=DATE_WIDGET, initial=_today
    )


class MoveInForm(forms.Form):
    household = forms.TypedChoiceField(
        label=gettext_lazy("Household"), coerce=int, widget=forms.RadioSelect
    )
    relation = forms.ChoiceField(
        label=gettext_lazy("Relation to the head of household"),
        choices=Relation.choices,
    )
    residency = forms.ChoiceField(
        label=gettext_lazy("Residency type"), choices=Residency.choices
    )
    date = forms.DateField(
        label=gettext_lazy("Moved in on"), widget=DATE_WIDGET, initial=_today
    )

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].choices = [(h.pk, label) for h, label in households]


class TagAddForm(forms.Form):
    tag = forms.TypedChoiceField(label=gettext_lazy("Tag"), coerce=int)
    start = forms.DateField(
        label=gettext_lazy("From"), widget=DATE_WIDGET, initial=_today
    )
    grade = forms.TypedChoiceField(
        label=gettext_lazy("Disability grade"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *((g, str(g)) for g in range(1, 5))],
        help_text=gettext_lazy("Only for tags with a grade, such as 残疾人."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=REASON_MAX_LENGTH
    )

    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        self.tags = {t.pk: t for t in tags}
        self.fields["tag"].choices = [("", "—")] + [
            (t.pk, t.name) for t in self.tags.values()
        ]


class TagEndForm(forms.Form):
    end = forms.DateField(label=gettext_lazy("Until"), widget=DATE_WIDGET)


# Helpers


def _int_param(request, name: str) -> int | None:
    raw = request.GET.get(name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404 from None


def _area_param(request, perm: str, name: str = "area") -> Area | None:
    """The node ``?<name>=`` names where the user holds ``perm``; 404
    anywhere else, as if it did not exist."""
    pk = _int_param(request, name)
    if pk is None:
        return None
    return get_object_or_404(
        scoped(Area.objects.all(), user=request.user, via="", perm=perm), pk=pk
    )


def _household(request, area_id: int, perm: str) -> Area:
    household = get_object_or_404(
        scoped(Area.objects.all(), user=request.user, via="", perm=perm),
        pk=area_id,
    )
    if household.kind != Kind.HOUSEHOLD:
        raise Http404
    return household


def address_of(area: Area | None) -> str:
    if area is None:
        return ""
    return addresses(paths=[area.path]).get(area.path, area.name)


# The list


@perm_required(Perm.PERSONAL_VIEW)
def people_list(request):
    """The registry: search, filters, 50 a page; ID and phone masked."""
    root = _area_param(request, Perm.PERSONAL_VIEW)
    form = PeopleFilterForm(request.GET, user=request.user)
    filters = form.filters()
    people = people_search(user=request.user, filters=filters)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    tags = open_tags(rows)
    stays = open_memberships(rows)
    labels = addresses(paths={p.last_household.path for p in rows})
    today = _today()
    for person in rows:
        person.tags_now = tags.get(person.pk, [])
        person.stay = stays.get(person.pk)
        person.address = labels.get(person.last_household.path, "")
        person.age = age_on(person.birth_date, today)
    query = request.GET.copy()
    query.pop("page", None)
    export_url = f"{reverse('residents:people_export')}?{query.urlencode()}"
    import_url = None
    if user_can(user=request.user, perm=Perm.RESIDENT_IMPORT):
        import_url = reverse("residents:import")
        if root is not None:
            import_url = f"{import_url}?area={root.pk}"
    context = {
        "form": form,
        "root": root,
        "page": page,
        "rows": rows,
        "export_url": export_url,
        "export_full_url": f"{export_url}&full=1"
        if export_full_allowed(user=request.user, area=root)
        else None,
        "import_url": import_url,
        "can_register": user_can(user=request.user, perm=Perm.RESIDENT_MANAGE),
    }
    return render(request, "residents/people/list.html", context)


# A person


def _detail_context(request, person: Person, **extra) -> dict:
    user = request.user
    area = person.last_household
    can_manage = in_scope(user, area, Perm.RESIDENT_MANAGE)
    tags = person_tags(person)
    members = []
    if person.household_id:
        members = [
            (p, m) for p, m in household_members(person.household) if p.pk != person.pk
        ]
    history = person_history(person)
    context = {
        "person": person,
        "address": address_of(area),
        "stay": next((m for m in history if m.moved_out is None), None),
        "history": history,
        "current_tags": [t for t in tags if t.end is None],
        "past_tags": [t for t in tags if t.end is not None],
        "members": members,
        "age": age_on(person.birth_date, _today()),
        "can_manage": can_manage,
        "can_reveal": in_scope(user, area, Perm.PERSONAL_FULL),
        "revealed": {},
    }
    if can_manage:
        context.update(
            tag_form=TagAddForm(tags=tag_types_for(area=area)),
            move_out_form=MoveOutForm(),
            death_form=DeathForm(),
            end_form=TagEndForm(initial={"end": _today()}),
        )
    context.update(extra)
    return context


@perm_required(Perm.PERSONAL_VIEW)
def person_detail(request, person_id: int):
    person = person_get(user=request.user, pk=person_id)
    return render(
        request, "residents/people/detail.html", _detail_context(request, person)
    )


@require_POST
@perm_required(Perm.PERSONAL_FULL)
def person_reveal(request, person_id: int):
    """Show a full ID or phone number, written to the audit trail. htmx
    swaps in the value alone; without script the page comes back with it."""
    person = person_get(user=request.user, pk=person_id, perm=Perm.PERSONAL_FULL)
    field = request.POST.get("field", "")
    try:
        value = services.person_reveal(
            person=person, field=field, by=request.user, request=request
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("residents:person", person_id=person.pk)
    if request.htmx:
        return render(
            request,
            "residents/people/_revealed.html",
            {"field": field, "value": value},
        )
    context = _detail_context(request, person, revealed={field: value})
    return render(request, "residents/people/detail.html", context)


def _manage_action(request, person_id: int, form_class, perform, **form_kw):
    """POST of an action on the detail page: done → back to the page;
    refused → the page again with the form's errors, status 400."""
    person = person_get(user=request.user, pk=person_id, perm=Perm.RESIDENT_MANAGE)
    form = form_class(request.POST, **{k: v(person) for k, v in form_kw.items()})
    if form.is_valid():
        try:
            message = perform(person, form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, message)
            return redirect("residents:person", person_id=person.pk)
    name = {
        MoveOutForm: "move_out_form",
        DeathForm: "death_form",
        TagAddForm: "tag_form",
        TagEndForm: "end_form",
    }[form_class]
    context = _detail_context(request, person, **{name: form})
    return render(request, "residents/people/detail.html", context, status=400)


@require_POST
@perm_required(Perm.RESIDENT_MANAGE)
def person_move_out(request, person_id: int):
    def perform(person, data):
        services.person_move_out(
            person=person,
            on=data["date"],
            reason=data["reason"],
            by=request.user,
            request=request,
        )
        return _("%(name)s is recorded as moved out.") % {"name": person.name}

    return _manage_action(request, person_id, MoveOutForm, perform)


@require_POST
@perm_required(Perm.RESIDENT_MANAGE)
def person_death(request, person_id: int):
    def perform(person, data):
        services.person_record_death(
            person=person, on=data["date"], by=request.user, request=request
        )
        return _("The death of %(name)s is recorded.") % {"name": person.name}

    return _manage_action(request, person_id, DeathForm, perform)


@require_POST
@perm_required(Perm.RESIDENT_MANAGE)
def person_tag_add(request, person_id: int):
    def perform(person, data):
        tag = TagType.objects.get(pk=data["tag"])
        services.tag_add(
            person=person,
            tag=tag,
            start=data["start"],
            grade=data["grade"],
            note=data["note"],
            by=request.user,
            request=request,
        )
        return _("Tag %(tag)s added.") % {"tag": tag.name}

    return _manage_action(
        request,
        person_id,
        TagAddForm,
        perform,
        tags=lambda person: tag_types_for(area=person.last_household),
    )


@require_POST
@perm_required(Perm.RESIDENT_MANAGE)
def person_tag_end(request, person_id: int, tag_id: int):
    def perform(person, data):
        person_tag = get_object_or_404(
            PersonTag.objects.select_related("tag"), pk=tag_id, person=person
        )
        services.tag_end(
            person_tag=person_tag, end=data["end"], by=request.user, request=request
        )
        return _("Tag %(tag)s ended.") % {"tag": person_tag.tag.name}

    return _manage_action(request, person_id, TagEndForm, perform)


@perm_required(Perm.RESIDENT_MANAGE)
def person_create(request):
    """Register a person in a household (``?household=``); without one,
    find the household first."""
    household_pk = _int_param(request, "household")
    if household_pk is None:
        text = request.GET.get("q", "").strip()
        results = household_search(user=request.user, text=text) if text else []
        return render(
            request,
            "residents/people/pick_household.html",
            {"q": text, "results": results},
        )
    household = _household(request, household_pk, Perm.RESIDENT_MANAGE)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_create(
                household=household,
                name=data["name"],
                relation=data["relation"],
                residency=data["residency"],
                moved_in=data["moved_in"],
                gender=data["gender"] or None,
                birth_date=data["birth_date"],
                id_type=data["id_type"],
                id_number=data["id_number"],
                phone=data["phone"],
                note=data["note"],
                by=request.user,
                request=request,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(name)s registered.") % {"name": person.name})
            return redirect("residents:person", person_id=person.pk)
    context = {
        "form": form,
        "household": household,
        "address": address_of(household),
        "members": household_members(household),
    }
    return render(
        request,
        "residents/people/form.html",
        context,
        status=400 if form.errors else 200,
    )


@perm_required(Perm.RESIDENT_MANAGE)
def person_edit(request, person_id: int):
    """Correct a person's details; moving and status have their own
    actions, so a mistake there never rewrites history."""
    person = person_get(user=request.user, pk=person_id, perm=Perm.RESIDENT_MANAGE)
    initial = {
        "name": person.name,
        "id_type": person.id_type,
        "gender": person.gender,
        "birth_date": person.birth_date,
        "note": person.note,
    }
    form = PersonForm(request.POST or None, initial=initial, person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {
            "name": data["name"],
            "id_type": data["id_type"],
            "gender": data["gender"] or None,
            "birth_date": data["birth_date"],
            "note": data["note"],
        }
        for name in ("id_number", "phone"):
            if data[name].strip():
                changes[name] = data[name]
        try:
            services.person_update(
                person=person,
                by=request.user,
                request=request,
                **person_changes(person, changes),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("residents:person", person_id=person.pk)
    context = {"form": form, "person": person, "address": address_of(person.household)}
    return render(
        request,
        "residents/people/form.html",
        context,
        status=400 if form.errors else 200,
    )


@perm_required(Perm.RESIDENT_MANAGE)
def person_move_in(request, person_id: int):
    """迁入: find the household (``?q=航院 1号楼 101``), then move in."""
    person = person_get(user=request.user, pk=person_id, perm=Perm.RESIDENT_MANAGE)
    text = request.GET.get("q", "").strip()
    households = household_search(user=request.user, text=text) if text else []
    if request.method == "POST":
        chosen = request.POST.get("household", "")
        households = [
            (h, address_of(h))
            for h in scoped(
                Area.objects.all(), user=request.user, via="", perm=Perm.RESIDENT_MANAGE
            ).filter(kind=Kind.HOUSEHOLD, pk=int(chosen) if chosen.isdigit() else 0)
        ]
    form = MoveInForm(
        request.POST or None,
        households=households,
        initial={"date": _today(), "residency": Residency.CHANGZHU},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = households[0][0]
        try:
            services.person_move_in(
                person=person,
                household=household,
                relation=data["relation"],
                residency=data["residency"],
                on=data["date"],
                by=request.user,
                request=request,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s moved in to %(address)s.")
                % {"name": person.name, "address": households[0][1]},
            )
            return redirect("residents:person", person_id=person.pk)
    context = {
        "form": form,
        "person": person,
        "q": text,
        "households": households,
        "address": address_of(person.household),
    }
    return render(
        request,
        "residents/people/move_in.html",
        context,
        status=400 if form.errors else 200,
    )


# A household


@perm_required(Perm.PERSONAL_VIEW)
def household_detail(request, area_id: int):
    """Who lives in a household now, and everyone who ever did."""
    household = _household(request, area_id, Perm.PERSONAL_VIEW)
    members = household_members(household)
    tags = open_tags([p for p, _m in members])
    today = _today()
    for person, _stay in members:
        person.tags_now = tags.get(person.pk, [])
        person.age = age_on(person.birth_date, today)
    context = {
        "household": household,
        "address": address_of(household),
        "members": members,
        "history": household_history(household),
        "can_manage": in_scope(request.user, household, Perm.RESIDENT_MANAGE),
        "area_url": reverse("areas:detail", args=[household.pk]),
    }
    return render(request, "residents/people/household.html", context)


# The portal


@login_required
def portal_record(request):
    """The resident's own record on her phone: masked like everywhere, her
    household and tags; a friendly word when no record is linked."""
    person = (
        Person.objects.select_related("household", "last_household")
        .filter(user=request.user)
        .first()
    )
    context = {"person": person}
    if person is not None:
        members = []
        if person.household_id:
            members = [
                (p, m)
                for p, m in household_members(person.household)
                if p.pk != person.pk
            ]
        context.update(
            address=address_of(person.last_household),
            members=members,
            current_tags=[t for t in person_tags(person) if t.end is None],
            history=person_history(person),
            age=age_on(person.birth_date, _today()),
            active=person.status == PersonStatus.ACTIVE,
        )
    return render(request, "residents/people/portal_record.html", context)


urlpatterns = [
    path("people/", people_list, name="people"),
    path("people/new/", person_create, name="person_create"),
    path("people/<int:person_id>/", person_detail, name="person"),
    path("people/<int:person_id>/edit/", person_edit, name="person_edit"),
    path("people/<int:person_id>/reveal/", person_reveal, name="person_reveal"),
    path("people/<int:person_id>/move-out/", person_move_out, name="person_move_out"),
    path("people/<int:person_id>/move-in/", person_move_in, name="person_move_in"),
    path("people/<int:person_id>/death/", person_death, name="person_death"),
    path("people/<int:person_id>/tags/", person_tag_add, name="person_tag_add"),
    path(
        "people/<int:person_id>/tags/<int:tag_id>/end/",
        person_tag_end,
        name="person_tag_end",
    ),
    path("households/<int:area_id>/", household_detail, name="household"),
    *tag_urlpatterns,
]
