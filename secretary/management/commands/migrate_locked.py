"""``migrate`` that waits its turn, so several bot-api replicas can start at once."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connections

# Any constant works; it only has to be the same for every replica.
MIGRATION_LOCK_ID = 7_265_011


class Command(MigrateCommand):
    help = "Apply migrations while holding a PostgreSQL advisory lock (plain migrate elsewhere)."

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            super().handle(*args, **options)
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_ID])
            try:
                super().handle(*args, **options)
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_ID])
