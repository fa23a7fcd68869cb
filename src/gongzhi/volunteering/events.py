"""What volunteering announces through ``core.hooks``.

``CHANGED`` (``"volunteering.changed"``): sessions or their attendance
changed in the current transaction (sessions published or cancelled, a
check-in or check-out, a mark by hand, hours corrected). Keyword
arguments: ``community_ids``, the sessions' communities, and ``days``,
the local days the sessions start on. Subscribers (the dashboards'
rollups in ``insights``) run inside that transaction.
"""

CHANGED = "volunteering.changed"
