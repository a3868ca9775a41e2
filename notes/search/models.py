"""What search reads: each note's words as lemmas, and the keys that say "already saved".

Declared in the ``notes`` app (``notes.models`` imports them). One entry per note,
written by ``notes.search.indexing`` whenever the worker has (re)prepared the note's
words. On PostgreSQL ``vector`` holds the weighted tsvector of the three word columns,
written in the same statement as they are (GIN-indexed by the migration); on SQLite an
FTS5 table over the same columns is kept current by triggers, and ``vector`` stays empty.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NoteSearchEntry(models.Model):
    note = models.OneToOneField(
        "notes.Note",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_entry",
        verbose_name=_("note"),
    )
    # The note's owner, kept here so that every search and key look-up is one owner's.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("owner"),
    )
    title_terms = models.TextField(_("title and tags, as lemmas"), blank=True)
    body_terms = models.TextField(_("text and transcript, as lemmas"), blank=True)
    extra_terms = models.TextField(_("links and source, as lemmas"), blank=True)
    vector = SearchVectorField(_("search vector"), null=True, blank=True)
    text_key = models.CharField(_("text key"), max_length=64, blank=True)
    forward_key = models.CharField(_("forwarded post"), max_length=64, blank=True)
    indexed_at = models.DateTimeField(_("indexed at"), auto_now=True)

    class Meta:
        app_label = "notes"
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        indexes = [
            models.Index(
                fields=["owner", "text_key"], condition=~Q(text_key=""), name="search_text_key_idx"
            ),
            models.Index(
                fields=["owner", "forward_key"],
                condition=~Q(forward_key=""),
                name="search_forward_key_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Search entry of #{self.note_id}"


class NoteLinkKey(models.Model):
    """One canonical URL of a note's link (its own, and the page's canonical one)."""

    note = models.ForeignKey(
        "notes.Note", on_delete=models.CASCADE, related_name="link_keys", verbose_name=_("note")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("owner"),
    )
    url = models.TextField(_("canonical URL"))
    # The look-up goes by a hash: URLs may be longer than an index entry may be.
    key = models.CharField(_("URL key"), max_length=64)

    class Meta:
        app_label = "notes"
        verbose_name = _("link key")
        verbose_name_plural = _("link keys")
        indexes = [models.Index(fields=["owner", "key"], name="search_link_key_idx")]
        constraints = [
            models.UniqueConstraint(fields=["note", "key"], name="search_link_key_once"),
        ]

    def __str__(self) -> str:
        return self.url
