import datetime as dt

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "The requests' sweep: flag requests past their response or resolution "
        "deadline, escalate (吹哨) those whose category says so, and close "
        "resolved requests nobody rated within the category's period. Run it "
        "every few minutes from cron; running it again does nothing twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO 8601 time to sweep at (default: now)")

    def handle(self, *args, now=None, **options):
        from gongzhi.requests.services.sweep import sweep_overdue

        at = None
        if now:
            try:
                at = dt.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"Not an ISO 8601 time: {now}") from None
        done = sweep_overdue(now=at)
        for key, count in done.items():
            self.stdout.write(f"{key}: {count}")
