"""Writing the audit trail."""

from __future__ import annotations

from typing import Any

from .models import Event


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _actor_place(actor) -> str:
    """Where an event with no area of its own (a login, a token) is filed:
    the actor's highest grant, so the audit admin above it sees it."""
    if actor is None:
        return ""
    from gongzhi.accounts.selectors import user_grants

    grant = user_grants(user=actor).only("area__path").first()
    return grant.area.path if grant is not None else ""


def audit_record(
    *,
    by,
    action: str,
    target: Any = None,
    area=None,
    request=None,
    detail: dict | None = None,
) -> Event:
    """Append one event. Called inside the caller's transaction, so the
    event exists exactly when the change it records does."""
    actor = by if by is not None and getattr(by, "is_authenticated", False) else None
    area_path = area.path if area is not None else _actor_place(actor)
    return Event.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        area_path=area_path,
        ip=client_ip(request),
        detail=detail or {},
    )
