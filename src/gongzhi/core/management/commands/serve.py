import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Serve Gongzhi with gunicorn (threads within the database connection budget)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind", default=os.environ.get("GONGZHI_BIND", "127.0.0.1:8000")
        )
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("GONGZHI_WORKERS", 2))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("GONGZHI_THREADS", 4))
        )

    def handle(self, *args, bind, workers, threads, **options):
        # Each thread holds one persistent database connection (CONN_MAX_AGE),
        # so workers × threads must stay within the database's budget.
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "gongzhi.config.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        # Collected, compressed and fingerprinted once here, so each worker
        # serves static files from memory-mapped copies.
        call_command("collectstatic", interactive=False, verbosity=0)
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE)
        env.setdefault("GONGZHI_DATA_DIR", str(settings.DATA_DIR))
        self.stdout.write(f"Gongzhi on http://{bind}/  (Ctrl-C to stop)")
        self.stdout.flush()
        try:
            return_code = subprocess.call(command, env=env)  # noqa: S603 (fixed argv)
        except KeyboardInterrupt:
            return_code = 0
        if return_code:
            sys.exit(return_code)
