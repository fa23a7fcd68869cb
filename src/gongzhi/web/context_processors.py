from gongzhi.accounts.roles import Perm


def gongzhi(request):
    """What every page's chrome needs: the user's permissions, lazily."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"perms_gz": set(), "Perm": Perm}
    from gongzhi.accounts.selectors import user_perms

    return {"perms_gz": user_perms(user=user), "Perm": Perm}
