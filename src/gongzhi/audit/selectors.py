"""Reading the audit trail: audit administrators, in their subtree."""

from django.db.models import QuerySet

from gongzhi.accounts.roles import Perm
from gongzhi.areas.scoping import scope_paths, subtree_q

from .models import Event


def event_list(*, user) -> QuerySet[Event]:
    paths = scope_paths(user, Perm.AUDIT_VIEW)
    if not paths:
        return Event.objects.none()
    return (
        Event.objects.filter(subtree_q(paths, field="area_path"))
        .select_related("actor")
        .order_by("-at", "-pk")
    )
