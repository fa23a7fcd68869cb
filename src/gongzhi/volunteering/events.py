"""What volunteering announces through ``core.hooks``.

``PLACE_FREED`` (``"volunteering.place_freed"``): a cancelled sign-up freed
a place in a session and the first person on the waiting list got it.
Keyword arguments: ``signup_id`` (the sign-up moved up), ``occurrence_id``
and ``now``; announced inside the cancelling transaction.

``CHANGED`` (``"volunteering.changed"``): sessions or their attendance
changed in the current transaction (sessions published or cancelled, a
check-in or check-out, a mark by hand, hours corrected). Keyword
arguments: ``community_ids``, the sessions' communities, and ``days``,
the local days the sessions start on. Subscribers (the dashboards'
rollups in ``insights``) run inside that transaction.
"""

PLACE_FREED = "volunteering.place_freed"
CHANGED = "volunteering.changed"
