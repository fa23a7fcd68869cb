"""The iCalendar feeds' addresses, included from the project's URLs
without a namespace: reverse ``volunteering_feed_community`` and
``volunteering_feed_team`` with ``pk`` and ``token``, or call
``feeds.feed_url``. The token is a signature in URL-safe base64, which
the slug converter matches exactly."""

from django.urls import path

from . import feeds

urlpatterns = [
    path(
        "calendar/community/<int:pk>/<slug:token>.ics",
        feeds.community_feed,
        name=feeds.URL_NAMES[feeds.COMMUNITY],
    ),
    path(
        "calendar/team/<int:pk>/<slug:token>.ics",
        feeds.team_feed,
        name=feeds.URL_NAMES[feeds.TEAM],
    ),
]
