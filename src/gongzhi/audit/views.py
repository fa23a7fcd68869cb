from django.core.paginator import Paginator
from django.shortcuts import render

from gongzhi.accounts.decorators import perm_required
from gongzhi.accounts.roles import Perm

from .forms import EventFilterForm
from .selectors import event_list

PAGE_SIZE = 100


@perm_required(Perm.AUDIT_VIEW)
def event_index(request):
    form = EventFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    filters = {key: value for key, value in filters.items() if value}
    events = event_list(user=request.user, **filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page": page, "form": form})
