import datetime as dt

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Rebuild the rollups behind the three rates (响应率, 解决率, 满意率) "
        "for the requests raised in the last --days days (up to --end, "
        "default today). Run it nightly from cron; running it again changes "
        "nothing."
    )

    def add_arguments(self, parser):
        from gongzhi.insights.rate_tasks import DEFAULT_DAYS

        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            help=f"How many days back to rebuild (default {DEFAULT_DAYS}).",
        )
        parser.add_argument("--end", help="The last day, ISO 8601 (default today).")

    def handle(self, *args, days, end=None, **options):
        from gongzhi.insights.rate_tasks import rebuild_range

        if days < 1:
            raise CommandError("--days must be at least 1.")
        last = None
        if end:
            try:
                last = dt.date.fromisoformat(end)
            except ValueError:
                raise CommandError(f"Not an ISO 8601 date: {end}") from None
        done = rebuild_range(days=days, end=last)
        for key, count in done.items():
            self.stdout.write(f"{key}: {count}")
