from datetime import datetime

from ninja import Field, Schema

from .models import NAME_MAX_LENGTH


class AreaOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    code: str | None
    depth: int
    children_count: int
    retired: bool
    retired_at: datetime | None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_children_count(obj) -> int:
        return obj.numchild

    @staticmethod
    def resolve_retired(obj) -> bool:
        return obj.retired_at is not None


class AreaCreateIn(Schema):
    parent_id: int
    kind: str
    name: str = Field(..., json_schema_extra={"maxLength": NAME_MAX_LENGTH})
    code: str | None = Field(None, json_schema_extra={"maxLength": 64})


class AreaRenameIn(Schema):
    name: str = Field(..., json_schema_extra={"maxLength": NAME_MAX_LENGTH})


class AreaMoveIn(Schema):
    parent_id: int


class RetireOut(Schema):
    retired: int


class RestoreOut(Schema):
    restored: int
