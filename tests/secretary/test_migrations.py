from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_and_migrations_agree():
    out = StringIO()

    call_command("makemigrations", "--check", "--dry-run", stdout=out)

    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_migrate_locked_applies_migrations_under_the_lock():
    out = StringIO()

    call_command("migrate_locked", "--no-input", stdout=out)

    assert "No migrations to apply" in out.getvalue()
