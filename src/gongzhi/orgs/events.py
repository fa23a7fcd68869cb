"""What orgs announces through ``core.hooks``.

``CHANGED`` (``"orgs.changed"``): a party member's 双报到 registration
changed in the current transaction (registered, confirmed, declined,
ended). Keyword arguments: ``community_ids``, the registrations'
communities, and ``days``, the local days concerned (the day of the
step). A registration confirmed or ended changes which hours count as
its member's, on every day: subscribers recount the whole period they
keep. Subscribers (the dashboards' rollups in ``insights``) run inside
that transaction.
"""

CHANGED = "orgs.changed"
