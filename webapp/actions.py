"""The Mini App's actions that reach Telegram: answered at once, done by the worker.

Confirming, choosing or cancelling a pending note, re-filing, retrying, creating and
renaming a topic all wait on Telegram, which may be slow or down. So the API checks
what it can at once (a 400 or 409 comes straight back), records the action here and
answers 202 with its id; a task does the work (``webapp.tasks.run_action``) and the
page polls ``actions/<id>/`` until the action is done or failed, with the owner's
words for why. Records live in the cache for an hour: only the page that started an
action asks after it, and the note or topic itself is the lasting record.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.exceptions import APIException, ValidationError

from notes.ports import ports_opened
from secretary.models import User
from secretary.services import preferences_for

logger = logging.getLogger(__name__)

ACTION_TTL_SECONDS = 3600
RUNNING, DONE, FAILED = "running", "done", "failed"
ACTION_ID = re.compile(r"[0-9a-f]{32}")


def _key(action_id: str) -> str:
    return f"webapp-action:{action_id}"


def action_start(
    *, owner: User, kind: str, note_id: int | None = None, **params: Any
) -> dict[str, Any]:
    """Record ``kind`` for ``owner`` as running and hand it to the worker (after commit)."""
    from webapp.tasks import action_enqueue

    if kind not in EXECUTORS:
        raise ValueError(f"not an action: {kind}")
    action_id = uuid.uuid4().hex
    action: dict[str, Any] = {
        "id": action_id,
        "owner_id": owner.pk,
        "kind": kind,
        "state": RUNNING,
        "note_id": note_id,
        "topic_id": params.get("topic_id"),
        "params": params,
        "detail": "",
        "reason": "",
        "fields": None,
    }
    cache.set(_key(action_id), action, ACTION_TTL_SECONDS)
    action_enqueue(action_id)
    return action


def action_of_owner(*, owner: User, action_id: str) -> dict[str, Any] | None:
    if not ACTION_ID.fullmatch(action_id):
        return None
    action = cache.get(_key(action_id))
    if not isinstance(action, dict) or action.get("owner_id") != owner.pk:
        return None
    return action


def action_run(*, action_id: str) -> None:
    """Do the recorded action once; a missing or finished one is left alone."""
    action = cache.get(_key(action_id))
    if not isinstance(action, dict) or action.get("state") != RUNNING:
        return
    owner = User.objects.filter(pk=action["owner_id"]).first()
    if owner is None:
        return
    with translation.override(preferences_for(user=owner).effective_language):
        try:
            with ports_opened():
                result = EXECUTORS[action["kind"]](owner, action)
        except Exception as exc:  # every failure becomes the owner's words, never a trace
            action.update(state=FAILED, **_failure(exc))
        else:
            action.update(state=DONE, **result)
    cache.set(_key(action_id), action, ACTION_TTL_SECONDS)


def _failure(exc: Exception) -> dict[str, Any]:
    from webapp.api.errors import as_api_exception

    answer = as_api_exception(exc)
    if isinstance(answer, ValidationError):
        return {"detail": "", "reason": "invalid", "fields": answer.detail}
    if isinstance(answer, APIException):
        return {
            "detail": str(answer.detail),
            "reason": str(getattr(answer, "reason", answer.default_code)),
        }
    logger.exception("A Mini App action failed")
    return {"detail": gettext("Something went wrong, try again."), "reason": "error"}


# -- what each action does: the same services the bot calls ------------------------------


def _confirm(owner: User, action: dict[str, Any]) -> dict[str, Any]:
    from notes.services.pending import note_confirm

    note_confirm(owner=owner, note_id=action["note_id"])
    return {}


def _choose_topic(owner: User, action: dict[str, Any]) -> dict[str, Any]:
    from notes.services.pending import note_choose_topic

    note_choose_topic(owner=owner, note_id=action["note_id"], topic_id=action["topic_id"])
    return {}


def _cancel(owner: User, action: dict[str, Any]) -> dict[str, Any]:
    from notes.services.pipeline import note_dismiss

    note_dismiss(owner=owner, note_id=action["note_id"])
    return {}


def _refile(owner: User, action: dict[str, Any]) -> dict[str, Any]:
    from notes.services.pipeline import note_refile

    note_refile(owner=owner, note_id=action["note_id"], topic_id=action["topic_id"])
    return {}


def _retry(owner: User, action: dict[str, Any]) -> dict[str, Any]:
    from notes.services.recovery import note_retry

    note_retry(owner=owner, note_id=action["note_id"])
    return {}


def _topic_create(owner: User, action: dict[str, Any]) -> dict[str, Any]:
    from topics.models import ForumGroup
    from topics.services import topic_create_for_owner

    params = dict(action["params"]["details"])
    group = ForumGroup.objects.get(pk=action["params"]["group_id"], owner=owner)
    topic = topic_create_for_owner(group=group, name=params.pop("name"), **params)
    return {"topic_id": topic.pk}


def _topic_update(owner: User, action: dict[str, Any]) -> dict[str, Any]:
    from topics.selectors import topic_of_owner
    from topics.services import topic_update

    topic = topic_of_owner(owner=owner, topic_id=action["topic_id"])
    if topic is None:
        from notes.services.pending import NoteActionRefused

        raise NoteActionRefused(NoteActionRefused.TOPIC_GONE)
    topic_update(topic=topic, **action["params"]["changes"])
    return {}


EXECUTORS: dict[str, Callable[[User, dict[str, Any]], dict[str, Any]]] = {
    "confirm": _confirm,
    "choose_topic": _choose_topic,
    "cancel": _cancel,
    "refile": _refile,
    "retry": _retry,
    "topic_create": _topic_create,
    "topic_update": _topic_update,
}
