"""What requests announces through ``core.hooks`` when requests change.

``CHANGED`` (``"requests.changed"``): requests' rows changed in the current
transaction (a step of the workflow, the sweep's overdue marks). Keyword
arguments: ``request_ids``, the changed requests' primary keys, and
``now``, the moment of the change. Subscribers (the three rates' rollups
in ``insights``) run inside that transaction, before it commits.

``MOVED`` (``"requests.moved"``): one request took one step of the
workflow (announced beside ``CHANGED`` for every step, raise included).
Keyword arguments: ``request_id``, ``action`` (the table's action name:
``dispatch``, ``accept``, ``resolve``, ``escalate`` …), ``status`` (the
status it is in now), ``version`` (its version after the step: a step is
told once) and ``now``. Subscribers (the messages of ``notices``) run
inside the step's transaction.
"""

CHANGED = "requests.changed"
MOVED = "requests.moved"
