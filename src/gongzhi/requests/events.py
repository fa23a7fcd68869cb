"""What requests announces through ``core.hooks`` when requests change.

``CHANGED`` (``"requests.changed"``): requests' rows changed in the current
transaction (a step of the workflow, the sweep's overdue marks). Keyword
arguments: ``request_ids``, the changed requests' primary keys, and
``now``, the moment of the change. Subscribers (the three rates' rollups
in ``insights``) run inside that transaction, before it commits.
"""

CHANGED = "requests.changed"
