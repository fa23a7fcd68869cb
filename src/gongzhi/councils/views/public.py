"""公示: a community's public page, readable without logging in: topics and
their outcome, vote counts (never who voted how in a secret vote, nor in a
named one: the page names no voter), final minutes, the work's progress
and the money spent. A logged-in resident of the community may object
while a topic's notice runs."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.models import Area, Kind
from gongzhi.core.errors import DomainError

from .. import selectors
from ..models import MinutesStatus, VoteStatus
from ..services import publicity, work
from .common import refusal_message


def _community(community_id: int) -> Area:
    return get_object_or_404(
        Area, pk=community_id, kind=Kind.COMMUNITY, retired_at__isnull=True
    )


def _progress(topic) -> list[dict]:
    rows = []
    for task in topic.tasks.select_related("service_request").prefetch_related(
        "milestones"
    ):
        stones = list(task.milestones.all())
        rows.append(
            {
                "task": task,
                "status": task.service_request.get_status_display(),
                "done": sum(1 for m in stones if m.done_at),
                "milestones": stones,
            }
        )
    return rows


def _money(topic) -> dict | None:
    budget = getattr(topic, "budget", None)
    if budget is None:
        return None
    spent = work.spent(budget)
    return {
        "budget": budget,
        "spent": spent,
        "left": budget.approved - spent,
        "expenses": list(budget.expenses.all()),
    }


def public_page(request, community_id: int):
    community = _community(community_id)
    today = timezone.localdate()
    topics = list(selectors.topics_public(community)[:100])
    for topic in topics:
        topic.closed_votes = [
            v for v in topic.votes.all() if v.status == VoteStatus.CLOSED
        ]
        topic.in_notice = publicity.in_notice(topic, today)
        topic.money = _money(topic)
    context = {"community": community, "topics": topics}
    return render(request, "councils/public/community.html", context)


def public_topic(request, community_id: int, topic_id: int):
    community = _community(community_id)
    topic = selectors.topic_public_get(community, topic_id)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        try:
            publicity.objection_raise(
                topic=topic, text=request.POST.get("text", ""), by=request.user
            )
        except DomainError as exc:
            refusal_message(request, exc)
        else:
            messages.success(
                request, _("Your objection is sent; the community will answer it.")
            )
        return redirect("councils:public_topic", community.pk, topic.pk)
    meetings = []
    for entry in topic.votes.select_related("meeting__minutes").filter(
        status=VoteStatus.CLOSED
    ):
        record = getattr(entry.meeting, "minutes", None)
        if record is not None and record.status == MinutesStatus.FINAL:
            version = record.versions.filter(final=True).first()
            meetings.append({"meeting": entry.meeting, "version": version})
    context = {
        "community": community,
        "t": topic,
        "votes": topic.votes.filter(status=VoteStatus.CLOSED),
        "minutes": meetings,
        "progress": _progress(topic),
        "money": _money(topic),
        "in_notice": publicity.in_notice(topic, timezone.localdate()),
        "objections": topic.objections.filter(answered_at__isnull=False),
    }
    return render(request, "councils/public/topic.html", context)
