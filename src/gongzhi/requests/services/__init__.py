"""Every write of the requests app. Import from here:

- raising: ``request_raise``, ``request_photos_add``, ``number_next``
- the workflow: ``request_dispatch``, ``request_pool``, ``request_take``,
  ``request_accept``, ``request_contact``, ``request_return``,
  ``request_transfer``, ``request_transfer_decide``, ``request_escalate``,
  ``request_street_dispatch``, ``request_start``, ``request_resolve``,
  ``request_rate``, ``request_callback``, ``request_auto_close``,
  ``request_reopen``, ``request_reject``, ``request_merge``
- following (关注): ``request_follow``, ``request_unfollow``
- reaching the reporter: ``request_phone_reveal``, ``may_call_reporter``
- the sweep: ``sweep_overdue``
- set-up: ``category_create``, ``category_update``, ``department_create``,
  ``handler_add``, ``handler_end``
- who may act: ``rules.may``, ``rules.handles``, ``rules.handled_by``
"""

from .contact import may_call_reporter, request_phone_reveal
from .following import request_follow, request_unfollow
from .raising import number_next, request_photos_add, request_raise
from .setup import (
    category_create,
    category_update,
    department_create,
    handler_add,
    handler_end,
)
from .sweep import sweep_overdue
from .workflow import (
    SERVICES,
    StaleRequest,
    request_accept,
    request_auto_close,
    request_callback,
    request_contact,
    request_dispatch,
    request_escalate,
    request_merge,
    request_pool,
    request_rate,
    request_reject,
    request_reopen,
    request_resolve,
    request_return,
    request_start,
    request_street_dispatch,
    request_take,
    request_transfer,
    request_transfer_decide,
)

__all__ = [
    "SERVICES",
    "StaleRequest",
    "category_create",
    "category_update",
    "department_create",
    "handler_add",
    "handler_end",
    "may_call_reporter",
    "number_next",
    "request_accept",
    "request_auto_close",
    "request_callback",
    "request_contact",
    "request_dispatch",
    "request_escalate",
    "request_follow",
    "request_merge",
    "request_phone_reveal",
    "request_photos_add",
    "request_pool",
    "request_raise",
    "request_rate",
    "request_reject",
    "request_reopen",
    "request_resolve",
    "request_return",
    "request_start",
    "request_street_dispatch",
    "request_take",
    "request_transfer",
    "request_transfer_decide",
    "request_unfollow",
    "sweep_overdue",
]
