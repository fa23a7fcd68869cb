import datetime as dt
from decimal import Decimal

from ninja import Schema


class CategoryOut(Schema):
    id: int
    code: str
    name: str
    description: str
    urgency: str
    urgency_label: str
    response_hours: int
    resolve_hours: int
    dispatch_mode: str
    area_id: int | None


class RaiseIn(Schema):
    category_id: int
    area_id: int
    description: str
    reporter_id: int | None = None
    public: bool = False
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    contact_name: str = ""
    contact_phone: str = ""
    channel: str = ""


class RequestOut(Schema):
    id: int
    number: str
    category_id: int
    category: str
    urgency: str
    area_id: int
    place: str
    community: str
    address: str
    description: str
    public: bool
    status: str
    status_label: str
    assignee: str
    assignee_kind: str
    transfer_to: str
    created_at: dt.datetime
    dispatched_at: dt.datetime | None
    responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    response_due: dt.datetime | None
    resolve_due: dt.datetime | None
    response_overdue: bool
    resolve_overdue: bool
    resolution: str
    rating: str
    rating_label: str
    rating_comment: str
    reject_reason: str
    merged_into: str
    reopened_count: int
    version: int
    reporter: str
    contact_phone: str
    followers: int = 0
    actions: list[str] = []


class StepOut(Schema):
    at: dt.datetime
    action: str
    action_label: str
    status: str
    status_label: str
    actor: str
    actor_label: str
    assignee: str
    note: str
    rating: str
    rating_label: str
    by: str


class DuplicateOut(Schema):
    id: int
    number: str
    description: str
    place: str
    status_label: str
    created_at: dt.datetime


class FollowedOut(Schema):
    """A request the caller follows, as a follower sees it: no one's name
    or phone, the words only when the reporter made them public."""

    id: int
    number: str
    category: str
    place: str
    description: str
    status: str
    status_label: str
    overdue: bool
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    merged_into_id: int | None
    followed_at: dt.datetime


class PhotoOut(Schema):
    id: int
    kind: str


class RevealOut(Schema):
    reporter: str
    phone: str


class NoteIn(Schema):
    note: str = ""
    version: int | None = None


class ReasonIn(Schema):
    reason: str
    version: int | None = None


class DispatchIn(Schema):
    team_id: int | None = None
    organization_id: int | None = None
    note: str = ""
    version: int | None = None


class TakeIn(Schema):
    team_id: int


class TransferIn(Schema):
    team_id: int
    reason: str
    version: int | None = None


class DecideIn(Schema):
    approve: bool
    note: str = ""
    version: int | None = None


class EscalateIn(Schema):
    note: str
    version: int | None = None


class StreetDispatchIn(Schema):
    department_id: int
    note: str = ""
    version: int | None = None


class ResolveIn(Schema):
    resolution: str
    version: int | None = None


class RateIn(Schema):
    rating: str
    comment: str = ""


class CallbackIn(Schema):
    reached: bool
    rating: str = ""
    note: str = ""


class MergeIn(Schema):
    into_id: int
    note: str = ""
    version: int | None = None


# Set-up (request.configure)


class CategorySetupOut(CategoryOut):
    dispatch_mode_label: str
    default_kind: str
    default_id: int | None
    default_name: str
    team_ids: list[int]
    auto_escalate: bool
    auto_close_days: int
    active: bool


class CategoryCreateIn(Schema):
    area_id: int | None = None
    code: str
    name: str
    description: str = ""
    urgency: str = "normal"
    response_hours: int
    resolve_hours: int
    dispatch_mode: str = "assign"
    default_team_id: int | None = None
    default_organization_id: int | None = None
    default_department_id: int | None = None
    team_ids: list[int] = []
    auto_escalate: bool = False
    auto_close_days: int = 7


class CategoryUpdateIn(Schema):
    """Only the fields sent change; the code stays."""

    name: str | None = None
    description: str | None = None
    urgency: str | None = None
    response_hours: int | None = None
    resolve_hours: int | None = None
    dispatch_mode: str | None = None
    default_team_id: int | None = None
    default_organization_id: int | None = None
    default_department_id: int | None = None
    team_ids: list[int] | None = None
    auto_escalate: bool | None = None
    auto_close_days: int | None = None
    active: bool | None = None


class DepartmentOut(Schema):
    id: int
    street_id: int
    name: str
    description: str
    active: bool


class DepartmentIn(Schema):
    street_id: int
    name: str
    description: str = ""


class HandlerOut(Schema):
    id: int
    user_id: int
    name: str
    phone: str
    queue_kind: str
    queue_id: int
    queue: str
    created_at: dt.datetime
    created_by: str
    ended_at: dt.datetime | None


class HandlerIn(Schema):
    team_id: int | None = None
    organization_id: int | None = None
    department_id: int | None = None
    user_id: int | None = None
    phone: str = ""
