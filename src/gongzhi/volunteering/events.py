"""What volunteering announces through ``core.hooks``.

``PLACE_FREED`` (``"volunteering.place_freed"``): a cancelled sign-up freed
a place in a session and the first person on the waiting list got it.
Keyword arguments: ``signup_id`` (the sign-up moved up), ``occurrence_id``
and ``now``; announced inside the cancelling transaction.
"""

PLACE_FREED = "volunteering.place_freed"
