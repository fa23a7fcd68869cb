from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class Kind(models.TextChoices):
    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    ESTATE = "estate", _("Estate")
    BUILDING = "building", _("Building")
    ENTRANCE = "entrance", _("Entrance")
    HOUSEHOLD = "household", _("Household")


# Which kinds may hang under which. An estate may sit straight under a
# community where nobody has drawn grids yet, a building under a grid where a
# row of houses is no estate, a household under a building without entrances.
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    Kind.DISTRICT: {None},
    Kind.STREET: {Kind.DISTRICT},
    Kind.COMMUNITY: {Kind.STREET},
    Kind.GRID: {Kind.COMMUNITY},
    Kind.ESTATE: {Kind.GRID, Kind.COMMUNITY},
    Kind.BUILDING: {Kind.ESTATE, Kind.GRID},
    Kind.ENTRANCE: {Kind.BUILDING},
    Kind.HOUSEHOLD: {Kind.ENTRANCE, Kind.BUILDING},
}

NAME_MAX_LENGTH = 100


class Area(MP_Node):
    """One node of the area tree: district down to household.

    The materialized path (``path``) makes "everything below this node" one
    indexed prefix match, which is what scoping asks on every query.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    code = models.CharField(
        _("code"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Optional external code, e.g. the civil-affairs code."),
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        indexes = [models.Index(fields=["kind", "path"], name="area_kind_path")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None
