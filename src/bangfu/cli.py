"""The `bangfu` command: Django's management commands under the project's settings.

    bangfu init | demo | serve | regions load CODE | template households --out F.xlsx
    bangfu import households F [--skip-invalid] | export households --out F.xlsx
and every Django command (migrate, createsuperuser, shell ...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["bangfu", *args])


if __name__ == "__main__":
    main()
