"""The ``gongzhi`` command: Django's management commands plus Gongzhi's own
(``demo``, ``serve``, ``seed``)."""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings.base")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "gongzhi"
    execute_from_command_line(argv)
    return 0
