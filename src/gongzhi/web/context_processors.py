from gongzhi.accounts.roles import Perm


def gongzhi(request):
    """What every page's chrome needs: the user's permissions, lazily."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"perms_gz": set(), "Perm": Perm}
    from gongzhi.accounts.selectors import user_perms
    from gongzhi.notices.selectors import unread_count

    return {
        "perms_gz": user_perms(user=user),
        "Perm": Perm,
        # Called by the bell only, on the pages that show it.
        "bell_count": lambda: unread_count(user=user),
    }
