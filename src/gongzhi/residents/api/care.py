"""care endpoints."""

from ninja import Router

router = Router(tags=["residents"])
