from django.core.paginator import Paginator
from django.shortcuts import render

from gongzhi.accounts.roles import Perm
from gongzhi.web.decorators import perm_required

from .selectors import event_list


@perm_required(Perm.AUDIT_VIEW)
def event_index(request):
    page = Paginator(event_list(user=request.user), 100).get_page(
        request.GET.get("page")
    )
    return render(request, "audit/event_list.html", {"page": page})
