from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Check the whole points ledger: every cached balance equals the sum "
        "of its entries, every transfer sums to zero, no account but an "
        "issuing one is negative. Exits non-zero naming what is off."
    )

    def handle(self, *args, **options):
        from gongzhi.points.selectors import ledger_problems, ledger_totals

        problems = ledger_problems()
        totals = ledger_totals()
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"ledger does not reconcile: {len(problems)} problem(s)")
        self.stdout.write(
            self.style.SUCCESS(
                f"Ledger reconciles: {totals.accounts} accounts, "
                f"{totals.transfers} transfers, {totals.entries} entries."
            )
        )
