from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from gongzhi.accounts.roles import Perm
from gongzhi.accounts.selectors import user_can


def perm_required(perm: str):
    """Logged in, and holding ``perm`` somewhere; otherwise 404, so the
    page's existence does not leak to a role that has no business there."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not user_can(user=request.user, perm=perm):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


workbench_required = perm_required(Perm.WORKBENCH)
