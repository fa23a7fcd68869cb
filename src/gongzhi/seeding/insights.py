"""The dashboards' rollups of what the seeders wrote.

The seeders play a year through the services, which announce every
change; refreshing the rollups at each step would re-sum the same days
thousands of times. ``seeding_begins`` pauses the refreshes (the handlers
only note what changed) and ``seed_insights``, called last, drops the
notes and builds every rollup in one set-based rebuild: a year of them for
the demo street in about a second.
"""

from __future__ import annotations

import time

from gongzhi.insights.dashboard_rollups import _paused, rollups_rebuild

_token: list = []


def seeding_begins() -> None:
    """Note, do not make, the refreshes the services ask for from now on
    (in this thread), until ``seed_insights``."""
    if not _token:
        _token.append(_paused.set({}))


def seed_insights(*, stdout=None) -> dict[str, int]:
    """Stop pausing and rebuild every rollup of the kept days."""
    if _token:
        _paused.reset(_token.pop())
    started = time.perf_counter()
    done = rollups_rebuild()
    if stdout is not None:
        rows = sum(done.values())
        seconds = time.perf_counter() - started
        stdout.write(f"Dashboard rollups: {rows} rows in {seconds:.1f} s")
    return done
