from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "The points supermarket's daily housekeeping: cancel and refund "
        "orders left past their pickup date, then expire points by the "
        "expiry policy (GONGZHI_POINTS_EXPIRE_AFTER_YEARS). Run it daily "
        "from cron; running it again does nothing twice."
    )

    def handle(self, *args, **options):
        from gongzhi.points.services.expiry import expire_after_years, points_expire
        from gongzhi.points.services.shop import orders_cancel_unclaimed

        cancelled = orders_cancel_unclaimed()
        self.stdout.write(f"Unclaimed orders cancelled and refunded: {cancelled}")
        if not expire_after_years():
            self.stdout.write(
                "Points never expire (GONGZHI_POINTS_EXPIRE_AFTER_YEARS=0)."
            )
            return
        expired = points_expire()
        self.stdout.write(f"Expiry transfers written: {expired}")
