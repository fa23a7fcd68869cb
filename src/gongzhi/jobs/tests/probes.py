"""Tasks the workers' tests schedule: each appends a line to a file in
GONGZHI_PROBE_DIR, so a test reads what ran, where and when."""

import os
import time

from django_tasks import task


def _note(name: str, *words) -> None:
    line = " ".join(str(w) for w in (os.getpid(), time.time(), *words))
    with open(os.path.join(os.environ["GONGZHI_PROBE_DIR"], name), "a") as out:
        out.write(line + "\n")


@task()
def record() -> str:
    """A short job: its start and end."""
    start = time.time()
    time.sleep(0.3)
    _note("record", start)
    return "recorded"


@task()
def fail_unless_flag() -> str:
    """Fails while the file ``flag`` is missing from the probe folder."""
    _note("fail")
    if not os.path.exists(os.path.join(os.environ["GONGZHI_PROBE_DIR"], "flag")):
        raise RuntimeError("probe failure: no flag")
    return "flagged"


@task(takes_context=True)
def slow_first(context) -> str:
    """Hangs on its first attempt (for its worker to be killed), returns on
    the next."""
    _note("slow", context.attempt)
    if context.attempt == 1:
        time.sleep(120)
    return "finished"
