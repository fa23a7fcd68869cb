import unicodedata

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


def pad(text: str, width: int) -> str:
    """Pad to ``width`` terminal columns; a Chinese character takes two."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - columns)


class Command(BaseCommand):
    help = "Migrate, seed the demo street, print the demo logins and serve."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare and print logins only."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Serve without the background worker (run `gongzhi worker` apart).",
        )

    def handle(self, *args, bind, no_serve, no_worker=False, **options):
        from gongzhi.accounts.roles import Role
        from gongzhi.areas.models import Area
        from gongzhi.seeding.councils import seed_demo_councils
        from gongzhi.seeding.demo import (
            DEMO_PASSWORD,
            seed_demo,
            seed_demo_people,
            seed_demo_towers,
            seed_demo_visits,
        )
        from gongzhi.seeding.notices import seed_demo_notices
        from gongzhi.seeding.orgs import seed_demo_orgs
        from gongzhi.seeding.points import seed_demo_points
        from gongzhi.seeding.requests import seed_demo_requests
        from gongzhi.seeding.volunteering import seed_demo_volunteering

        call_command("migrate", interactive=False, verbosity=0)
        logins = seed_demo()
        seed_demo_towers()
        seed_demo_people()
        seed_demo_visits()
        # A year of the points supermarket takes half a minute the first
        # time; say so rather than sit silent.
        seed_demo_points(stdout=self.stdout)
        # Then a year of service teams and activities, whose confirmed hours
        # are posted as points to the accounts the points year opened.
        seed_demo_volunteering(stdout=self.stdout)
        # Then the organizations and party members' 双报到, drawn from the
        # volunteers so the pool shows their hours.
        seed_demo_orgs(stdout=self.stdout)
        # Then a year of requests (急难愁盼), dispatched to the teams and the
        # organizations seeded above.
        seed_demo_requests(stdout=self.stdout)
        seed_demo_councils(stdout=self.stdout)  # after requests: 吹哨 and tasks
        # Then the year's selections, whose honoured speak at its talks.
        from gongzhi.seeding.selections import seed_demo_selections

        seed_demo_selections(stdout=self.stdout)
        seed_demo_notices()
        where = {}
        for area in Area.objects.filter(code__in=[x.area_code for x in logins]):
            chain = [a.name for a in Area.objects.get_ancestors(area) if a.depth > 1]
            where[area.code] = " › ".join([*chain, area.name])
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(_("Gongzhi demo street is ready.")))
        self.stdout.write(
            _(
                "Open http://%(bind)s/ and log in with one of the phone numbers "
                "below and the password %(password)s."
            )
            % {"bind": bind, "password": DEMO_PASSWORD}
        )
        self.stdout.write("")
        for login in logins:
            role = str(Role(login.role).label)
            place = where.get(login.area_code, "")
            name = pad(login.name, 8)
            self.stdout.write(f"  {login.phone}  {name}{pad(role, 24)}{place}")
        self.stdout.write("")
        if no_serve:
            return
        if no_worker:
            call_command("serve", bind=bind)
            return
        from gongzhi.jobs.process import worker_beside

        # The schedule's jobs (the requests' sweep, rollups, points
        # housekeeping …) run beside the server and stop with it.
        with worker_beside():
            call_command("serve", bind=bind)
