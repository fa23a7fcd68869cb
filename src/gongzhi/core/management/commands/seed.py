from django.core.management.base import BaseCommand, CommandError

SCALES = ["demo", "community", "street", "district"]


class Command(BaseCommand):
    help = "Seed demo data, or scale data for benchmarks (community, street, district)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=SCALES, default="demo")

    def handle(self, *args, scale, **options):
        if scale == "demo":
            from gongzhi.seeding.demo import seed_demo

            logins = seed_demo()
            self.stdout.write(
                self.style.SUCCESS(f"Demo street ready, {len(logins)} logins.")
            )
            return
        try:
            from gongzhi.seeding.bulk import seed_scale
        except ImportError as exc:  # pragma: no cover
            raise CommandError(str(exc)) from exc
        seed_scale(scale, stdout=self.stdout)
