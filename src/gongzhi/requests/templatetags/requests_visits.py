"""``{% visit_request visit %}``: on a care visit's page, the request the
visit became (its tracking number, linked where the login may open it),
or a small form to raise one where she holds request.raise."""

from django import template

from ..models import ServiceRequest

register = template.Library()


@register.inclusion_tag("requests/visit/_card.html", takes_context=True)
def visit_request(context, visit):
    from .. import selectors
    from ..visits import may_raise_from, visit_raise_form

    user = context["request"].user
    found = None
    may_open = False
    if visit.service_request_id:
        found = (
            ServiceRequest.objects.filter(pk=visit.service_request_id)
            .only("pk", "number", "status")
            .first()
        )
        may_open = (
            found is not None
            and selectors.request_visible(user=user).filter(pk=found.pk).exists()
        )
    form = None
    if found is None and may_raise_from(user, visit):
        form = visit_raise_form(visit)
    return {
        "visit": visit,
        "service_request": found,
        "may_open": may_open,
        "form": form,
        "csrf_token": context.get("csrf_token"),
    }
