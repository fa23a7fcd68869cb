from django.core.management.base import BaseCommand, CommandError

SCALES = ["demo", "community", "street", "district"]

# Scale seeds register people in two flats out of five: a district of about
# a million households then holds about a million residents, as a real one
# of that many flats does once vacant and unregistered homes are counted.
SCALE_OCCUPANCY = 0.4


class Command(BaseCommand):
    help = "Seed demo data, or scale data for benchmarks (community, street, district)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=SCALES, default="demo")

    def handle(self, *args, scale, **options):
        if scale == "demo":
            from gongzhi.seeding.demo import (
                seed_demo,
                seed_demo_people,
                seed_demo_towers,
                seed_demo_visits,
            )

            logins = seed_demo()
            seed_demo_towers()
            seed_demo_people(stdout=self.stdout)
            seed_demo_visits()
            self.stdout.write(
                self.style.SUCCESS(f"Demo street ready, {len(logins)} logins.")
            )
            return
        try:
            from gongzhi.seeding.bulk import seed_scale
        except ImportError as exc:  # pragma: no cover
            raise CommandError(str(exc)) from exc
        from gongzhi.areas.models import Area
        from gongzhi.seeding.bulk import SCALES as PLANS
        from gongzhi.seeding.people import seed_people

        seed_scale(scale, stdout=self.stdout)
        root = Area.objects.get(code=PLANS[scale].code)
        self.stdout.write(f"Residents of {root.name}:")
        seed_people(root=root, occupancy=SCALE_OCCUPANCY, stdout=self.stdout)
