"""What residents announces through ``core.hooks`` when people change.

``CHANGED`` (``"residents.changed"``): people, their key-population tags,
visits or incidents changed in the current transaction. Keyword
arguments: ``area_ids``, the places the changed rows lie in (households,
an incident's place; before and after a move), and ``days``, the local
days the change concerns (a visit's date, the day an incident occurred,
a tag's start or end, the day of a move or a death). Subscribers (the
dashboards' rollups in ``insights``) run inside that transaction.
"""

CHANGED = "residents.changed"
