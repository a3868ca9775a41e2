"""Forget me: everything the product holds about one owner, deleted on their word.

Rows that point at the owner or their notes go with them (notes, pending confirmations,
filing examples, preferences, exports, and whatever later capabilities add with a
cascading foreign key); their forum groups and topics are unlinked and deleted. What the
Telegram side keeps (stored updates, conversation state) answers ``owner_forgetting``.
Messages already posted into the forum group stay there: they are the owner's own.
"""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from typing import Any

from django.apps import apps
from django.db import transaction
from django.dispatch import Signal

from notes.archive.export import export_path
from notes.archive.models import ExportJob
from secretary.models import User
from topics.models import ForumGroup

logger = logging.getLogger(__name__)

# Sent inside the forgetting transaction with ``owner``; a receiver deletes what its app
# keeps about them and returns {"app_label.Model": rows deleted}.
owner_forgetting = Signal()


def owner_forget(*, owner: User) -> dict[str, int]:
    """Delete the owner and all that is theirs; rows deleted per model (``app.Model``)."""
    files = [
        export_path(job) for job in ExportJob.objects.filter(owner=owner).exclude(file_name="")
    ]
    owner_pk = owner.pk
    with transaction.atomic():
        counts: Counter[str] = Counter()
        for _receiver, deleted in owner_forgetting.send(sender=User, owner=owner):
            counts.update(deleted or {})
        counts.update(ForumGroup.objects.filter(owner=owner).delete()[1])
        counts.update(User.objects.filter(pk=owner_pk).delete()[1])
    for path in files:
        path.unlink(missing_ok=True)
    found = {label: count for label, count in sorted(counts.items()) if count}
    # One line, counts only: no names, no texts.
    logger.info("Owner %s forgotten: %s", owner_pk, ", ".join(f"{k}={v}" for k, v in found.items()))
    return found


def forget_report_lines(counts: dict[str, int]) -> list[str]:
    """``counts`` as lines a person reads: "Notes: 12" in the active language."""
    lines = []
    for label, count in counts.items():
        name: Any = label
        with contextlib.suppress(LookupError, ValueError):
            name = apps.get_model(label)._meta.verbose_name_plural
        lines.append(f"{str(name)[:1].upper()}{str(name)[1:]}: {count}")
    return lines
