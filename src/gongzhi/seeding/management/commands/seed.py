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
        parser.add_argument(
            "--points-communities",
            type=int,
            metavar="N",
            help=(
                "Scale seeds: post a year of points in the first N communities "
                "only (0: none). A district's year goes through the services at "
                "some sixty transfers a second, hours in all; a sample shows "
                "the rate."
            ),
        )
        parser.add_argument(
            "--volunteering-communities",
            type=int,
            metavar="N",
            help=(
                "Scale seeds: play a year of volunteering (teams, sessions, "
                "sign-ups, attendance, hours posted as points) in the first N "
                "communities only (0: none). Defaults to --points-communities."
            ),
        )
        parser.add_argument(
            "--requests-communities",
            type=int,
            metavar="N",
            help=(
                "Scale seeds: play a year of requests (0.3 a household, through "
                "the services at some 35 a second on SQLite) in the first N "
                "communities only (0: none). Defaults to "
                "--volunteering-communities."
            ),
        )

    def handle(
        self,
        *args,
        scale,
        points_communities=None,
        volunteering_communities=None,
        requests_communities=None,
        **options,
    ):
        if points_communities is not None and points_communities < 0:
            raise CommandError("--points-communities: give 0 or more")
        if volunteering_communities is not None and volunteering_communities < 0:
            raise CommandError("--volunteering-communities: give 0 or more")
        if requests_communities is not None and requests_communities < 0:
            raise CommandError("--requests-communities: give 0 or more")
        from gongzhi.seeding.insights import seed_insights, seeding_begins

        if scale == "demo":
            from gongzhi.seeding.councils import seed_demo_councils
            from gongzhi.seeding.demo import (
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

            seeding_begins()
            logins = seed_demo()
            seed_demo_towers()
            seed_demo_people(stdout=self.stdout)
            seed_demo_visits()
            seed_demo_points(stdout=self.stdout)
            # After the points: confirming a session posts its hours to the
            # accounts the points year opened.
            seed_demo_volunteering(stdout=self.stdout)
            # After the volunteering: 双报到 draws on the volunteers.
            seed_demo_orgs(stdout=self.stdout)
            # After the organizations: requests go to their teams and units.
            seed_demo_requests(stdout=self.stdout)
            seed_demo_councils(stdout=self.stdout)  # after requests: 吹哨 and tasks
            from gongzhi.seeding.selections import seed_demo_selections

            seed_demo_selections(stdout=self.stdout)
            seed_demo_notices()
            seed_insights(stdout=self.stdout)
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
        from gongzhi.seeding.orgs import seed_scale_orgs
        from gongzhi.seeding.people import seed_people
        from gongzhi.seeding.points import seed_scale_points
        from gongzhi.seeding.requests import seed_scale_requests
        from gongzhi.seeding.volunteering import seed_scale_volunteering

        seeding_begins()
        seed_scale(scale, stdout=self.stdout)
        root = Area.objects.get(code=PLANS[scale].code)
        self.stdout.write(f"Residents of {root.name}:")
        seed_people(root=root, occupancy=SCALE_OCCUPANCY, stdout=self.stdout)
        if points_communities != 0:
            self.stdout.write(f"A year of points in {root.name}:")
            seed_scale_points(
                root=root, communities=points_communities, stdout=self.stdout
            )
        if volunteering_communities is None:
            volunteering_communities = points_communities
        if volunteering_communities != 0:
            self.stdout.write(f"A year of volunteering in {root.name}:")
            seed_scale_volunteering(
                root=root, communities=volunteering_communities, stdout=self.stdout
            )
        # Every community's organizations; 双报到 draws on the volunteers
        # where there are some.
        self.stdout.write(f"Organizations and 双报到 in {root.name}:")
        seed_scale_orgs(root=root, stdout=self.stdout)
        if requests_communities is None:
            requests_communities = volunteering_communities
        if requests_communities != 0:
            self.stdout.write(f"A year of requests in {root.name}:")
            seed_scale_requests(
                root=root, communities=requests_communities, stdout=self.stdout
            )
        self.stdout.write(f"Dashboard rollups of {root.name}:")
        seed_insights(stdout=self.stdout)
