from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gongzhi.points.models import Account, Entry, TransferKind
from gongzhi.points.selectors import ledger_problems
from gongzhi.points.services.ledger import Leg, transfer_create


def run_reconcile():
    out, err = StringIO(), StringIO()
    call_command("reconcile", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def earn(ledger, points, key):
    return transfer_create(
        kind=TransferKind.EARN,
        area=ledger.community,
        legs=[Leg(ledger.issuing, -points), Leg(ledger.zhou, points)],
        by=ledger.staff,
        reason="志愿服务 2 小时",
        idempotency_key=key,
    )


def test_a_clean_ledger_reconciles_and_says_how_much_it_checked(ledger):
    earn(ledger, 10, "a")
    earn(ledger, 15, "b")
    out, err = run_reconcile()
    assert "5 accounts, 2 transfers, 4 entries" in out
    assert err == ""


def test_a_cached_balance_that_drifted_is_named(ledger):
    earn(ledger, 10, "a")
    Account.objects.filter(pk=ledger.zhou.pk).update(balance=12)
    with pytest.raises(CommandError, match="1 problem"):
        run_reconcile()
    [problem] = ledger_problems()
    assert (problem.what, problem.pk) == ("balance", ledger.zhou.pk)
    assert "cached balance 12, entries sum to 10" in problem.detail


def test_an_entry_written_around_the_service_is_caught(ledger):
    transfer = earn(ledger, 10, "a")
    Entry.objects.create(transfer=transfer, account=ledger.expired, amount=3)
    Account.objects.filter(pk=ledger.expired.pk).update(balance=3)
    problems = ledger_problems()
    assert [(p.what, p.pk) for p in problems] == [("unbalanced", transfer.pk)]
    with pytest.raises(CommandError):
        run_reconcile()


def test_the_command_prints_each_problem(ledger, capsys):
    earn(ledger, 10, "a")
    Account.objects.filter(pk=ledger.issuing.pk).update(balance=0)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("reconcile", stdout=StringIO(), stderr=err)
    assert f"account {ledger.issuing.pk}: cached balance 0, entries sum to -10" in (
        err.getvalue()
    )
