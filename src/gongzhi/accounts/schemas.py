from datetime import datetime

from ninja import Field, Schema


class TokenIn(Schema):
    phone: str
    password: str
    name: str = Field("", json_schema_extra={"maxLength": 100})


class TokenOut(Schema):
    token: str
    expires_at: datetime


class AreaRef(Schema):
    id: int
    kind: str
    name: str


class GrantOut(Schema):
    id: int
    role: str
    role_label: str
    area: AreaRef
    granted_at: datetime
    revoked_at: datetime | None

    @staticmethod
    def resolve_role_label(obj) -> str:
        return str(obj.get_role_display())


class GrantUserOut(Schema):
    id: int
    name: str
    phone: str


class GrantListOut(GrantOut):
    user: GrantUserOut

    @staticmethod
    def resolve_user(obj) -> dict:
        return {
            "id": obj.user.pk,
            "name": obj.user.name,
            "phone": obj.user.phone_masked,
        }


class GrantIn(Schema):
    phone: str = Field(..., description="The grantee's phone number")
    area_id: int
    role: str


class MeOut(Schema):
    id: int
    name: str
    phone: str
    perms: list[str]
    grants: list[GrantOut]
