"""The caller's 待办, as the workbench's first page shows it."""

from ninja import Router, Schema

from gongzhi.accounts.schemas import AreaRef
from gongzhi.accounts.selectors import user_grants

from .todo import todos_at, todos_of_queues, todos_of_resident

router = Router(tags=["me"])


class TodoOut(Schema):
    key: str
    label: str
    count: int
    late: bool
    url: str

    @staticmethod
    def resolve_label(obj) -> str:
        return str(obj.label)


class PlaceTodosOut(Schema):
    grant_id: int
    role: str
    role_label: str
    area: AreaRef
    items: list[TodoOut]


class TodosOut(Schema):
    mine: list[TodoOut]
    queues: list[TodoOut]
    places: list[PlaceTodosOut]


@router.get(
    "me/todo",
    response=TodosOut,
    summary="What waits for the caller: counts, each with the page that lists it",
)
def my_todo(request):
    """A resident's own counts (requests to rate or in hand, activities she
    signed up for, points, goods to pick up), the queues the caller works
    (if any), then for each place she holds
    a role on, the counts her role there allows: requests to dispatch or
    overdue, escalations for the street, visits due, points awards to
    approve, today's activities. Each ``url`` is the workbench page listing
    what is counted; ``late`` counts are overdue already."""
    user = request.user
    return {
        "mine": todos_of_resident(user=user),
        "queues": todos_of_queues(user=user),
        "places": [
            {
                "grant_id": grant.pk,
                "role": grant.role,
                "role_label": str(grant.get_role_display()),
                "area": grant.area,
                "items": todos_at(user=user, area=grant.area),
            }
            for grant in user_grants(user=user)
        ],
    }
