"""Forms of the residents app shared by its parts."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.roles import Perm
from gongzhi.areas.models import Area, Kind
from gongzhi.areas.scoping import scope_paths, scoped
from gongzhi.areas.tree import subtree

from .models import PersonStatus
from .selectors.people import AGE_BANDS, PeopleFilter
from .services.people import tag_types_for, tag_types_touching

# Above this many estates in scope, the estate filter becomes a search by
# area instead of a drop-down nobody could scroll.
MAX_ESTATE_CHOICES = 300


class PeopleFilterForm(forms.Form):
    """Search and filters of the registry list (a GET form); its cleaned
    data become a ``PeopleFilter`` for the list, the export and the API."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        help_text=_("Name, pinyin initials (zsf), last four phone digits"),
    )
    area = forms.IntegerField(required=False, widget=forms.HiddenInput)
    estate = forms.TypedChoiceField(
        label=_("Estate"), required=False, coerce=int, empty_value=None
    )
    building = forms.TypedChoiceField(
        label=_("Building"), required=False, coerce=int, empty_value=None
    )
    tag = forms.TypedChoiceField(
        label=_("Key population"), required=False, coerce=int, empty_value=None
    )
    age_band = forms.ChoiceField(
        label=_("Age"),
        required=False,
        choices=[("", _("All ages"))] + [(band, band) for band in AGE_BANDS],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("all", _("Everyone registered")), *PersonStatus.choices],
    )

    def __init__(self, data=None, *, user, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("status", PersonStatus.ACTIVE)
        super().__init__(data, **kwargs)
        self.user = user
        self.root = self._root()
        under = scoped(Area.objects.all(), user=user, via="", perm=Perm.PERSONAL_VIEW)
        if self.root is not None:
            under = subtree(under, self.root, via="")
        estates = under.filter(kind=Kind.ESTATE, retired_at__isnull=True)
        estates = list(estates.order_by("path")[: MAX_ESTATE_CHOICES + 1])
        if len(estates) > MAX_ESTATE_CHOICES:
            del self.fields["estate"], self.fields["building"]
        else:
            self.fields["estate"].choices = [("", _("All estates"))] + [
                (e.pk, e.name) for e in estates
            ]
            estate = self._chosen(estates, "estate")
            buildings = (
                subtree(under, estate, via="")
                .filter(kind=Kind.BUILDING, retired_at__isnull=True)
                .order_by("path")
                if estate is not None
                else Area.objects.none()
            )
            self.fields["building"].choices = [("", _("All buildings"))] + [
                (b.pk, b.name) for b in buildings
            ]
        tags = (
            tag_types_for(area=self.root)
            if self.root
            else tag_types_touching(paths=scope_paths(user, Perm.PERSONAL_VIEW))
        )
        self.fields["tag"].choices = [("", _("All people"))] + [
            (t.pk, t.name) for t in tags
        ]

    def _root(self) -> Area | None:
        """The node the list is opened on (``?area=``), if in scope."""
        try:
            pk = int(self.data.get("area") or 0)
        except (TypeError, ValueError):
            return None
        if not pk:
            return None
        return (
            scoped(Area.objects.all(), user=self.user, via="", perm=Perm.PERSONAL_VIEW)
            .filter(pk=pk)
            .first()
        )

    def _chosen(self, estates, name):
        try:
            pk = int(self.data.get(name) or 0)
        except (TypeError, ValueError):
            return None
        return next((e for e in estates if e.pk == pk), None)

    def filters(self) -> PeopleFilter:
        """The filter to apply; call after ``is_valid()``."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        area = self.root
        estate_pk, building_pk = data.get("estate"), data.get("building")
        for pk in (building_pk, estate_pk):
            if pk:
                area = Area.objects.filter(pk=pk).first() or area
                break
        status = data.get("status") or PersonStatus.ACTIVE
        return PeopleFilter(
            q=data.get("q", ""),
            area=area,
            tag=data.get("tag"),
            age_band=data.get("age_band", ""),
            status="" if status == "all" else status,
        )
