"""The residents API: each part keeps its own router."""

from ninja import Router

from . import care, imports, people, properties

router = Router(tags=["residents"])
router.add_router("", people.router)
router.add_router("", imports.router)
router.add_router("", care.router)
router.add_router("", properties.router)
