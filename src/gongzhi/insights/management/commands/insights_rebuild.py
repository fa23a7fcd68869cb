import datetime as dt

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Rebuild the dashboards' rollups (数据大屏: requests, visits and care, "
        "incidents, key populations, volunteering, 双报到, points, goods) "
        "from the raw rows: every kept day by default, or the last --days "
        "days up to --end. Run it nightly; running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="How many days back to rebuild.")
        parser.add_argument(
            "--end", help="The last day, ISO 8601 (default a year ahead)."
        )

    def handle(self, *args, days=None, end=None, **options):
        from gongzhi.insights.tasks import rebuild

        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        last = None
        if end:
            try:
                last = dt.date.fromisoformat(end)
            except ValueError:
                raise CommandError(f"Not an ISO 8601 date: {end}") from None
        for domain, rows in rebuild(days=days, end=last).items():
            self.stdout.write(f"{domain}: {rows}")
