"""The Open311 GeoReport v2 facade at ``/open311/v2/``.

A category is a service (its ``code`` the ``service_code``); a request is
a service request (its tracking number the ``service_request_id``); our
statuses fold into ``open`` and ``closed``; ``address_string`` and
``address_id`` map onto the area tree. Both ``.json`` and ``.xml``, the
specification's field names, W3C datetimes with the offset, and its error
format (``[{"code": 400, "description": "…"}]`` or ``<errors>``).

What is public: the services of a jurisdiction, and the requests their
reporters let be shown (``public``), without anyone's name or phone and
with the place no finer than the building. An ``api_key`` is an API token
of an account holding request.raise (a partner system gets such an account
on its street or community); the key's grants decide where it may report,
and it also reads back the requests it raised itself.

- ``render``: the two formats and the error documents
- ``lookups``: jurisdictions, services, visible requests, places
- ``attributes``: the service definition and the POSTed ``attribute[…]``
- ``views`` and ``urls``: the endpoints, and ``discovery.{json,xml}``
"""
