import logging
import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Run background workers: enqueue the jobs GONGZHI_SCHEDULE says are "
        "due, run queued jobs with a lease, retry failures with backoff. "
        "Start as many as the work needs, on one machine or several: each "
        "scheduled job still runs once per slot and one at a time. Ctrl-C "
        "(or SIGTERM) finishes the job at hand, then stops."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--processes",
            type=int,
            default=int(os.environ.get("GONGZHI_WORKER_PROCESSES", 1)),
            help="Worker processes to run side by side (default 1).",
        )
        parser.add_argument(
            "--queue",
            default="default",
            help="Queues to take jobs from, comma-separated; * for all.",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when there is nothing to do (default 1).",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Only run queued jobs; enqueue nothing from the schedule.",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run what is queued and due now, then exit.",
        )
        parser.add_argument("--max-jobs", type=int, default=None)
        parser.add_argument("--worker-id", default=None)

    def handle(self, *args, processes, queue, interval, no_scheduler, **options):
        if processes < 1 or processes > 64:
            raise CommandError("--processes must be between 1 and 64.")
        if not 0 <= interval <= 3600:
            raise CommandError("--interval must be between 0 and 3600 seconds.")
        if options["max_jobs"] is not None and options["max_jobs"] < 1:
            raise CommandError("--max-jobs must be at least 1.")
        backend = settings.TASKS.get("default", {}).get("BACKEND", "")
        if backend != "django_tasks_db.DatabaseBackend":
            raise CommandError(
                f"The default tasks backend is {backend}: it keeps no queue for "
                "a worker to run (set TASKS to django_tasks_db.DatabaseBackend)."
            )
        if processes > 1:
            if options["worker_id"]:
                raise CommandError("--worker-id names one worker, not several.")
            one = ["worker", f"--queue={queue}", f"--interval={interval}"]
            one += ["--no-scheduler"] * no_scheduler + ["--batch"] * options["batch"]
            if options["max_jobs"]:
                one.append(f"--max-jobs={options['max_jobs']}")
            return self.supervise(processes, one)
        self.configure_logging(options["verbosity"])
        from gongzhi.jobs.worker import Worker

        worker = Worker(
            worker_id=options["worker_id"],
            queues=[name.strip() for name in queue.split(",") if name.strip()],
            interval=interval,
            scheduler=not no_scheduler,
            max_jobs=options["max_jobs"],
            stop_when_idle=options["batch"],
        )
        worker.install_signals()
        worker.run()

    def supervise(self, processes: int, one: list[str]) -> None:
        """Start ``processes`` single workers and stop them together."""
        command = [sys.executable, "-m", "django", *one]
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)
        children = [
            subprocess.Popen(command, env=env)  # noqa: S603 (our own argv)
            for _ in range(processes)
        ]

        def forward(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.send_signal(signum)

        for name in ("SIGINT", "SIGTERM"):
            signal.signal(getattr(signal, name), forward)
        codes = [child.wait() for child in children]
        if any(codes):
            sys.exit(max(codes))

    def configure_logging(self, verbosity: int) -> None:
        level = {0: logging.ERROR, 1: logging.INFO}.get(verbosity, logging.DEBUG)
        logger = logging.getLogger("gongzhi.jobs")
        logger.setLevel(level)
