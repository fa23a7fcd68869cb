"""The points supermarket's daily housekeeping as background tasks: run
inline in the embedded default, on a worker when deployed. The
``points_housekeeping`` command runs the same services from cron."""

from django_tasks import task


@task()
def orders_cancel_unclaimed_task() -> int:
    """Cancel and refund the orders left past their pickup date."""
    from .services.shop import orders_cancel_unclaimed

    return orders_cancel_unclaimed()


@task()
def points_expire_task() -> int:
    """Expire the points whose time is up by the expiry policy."""
    from .services.expiry import points_expire

    return points_expire()
