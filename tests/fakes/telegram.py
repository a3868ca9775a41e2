"""A fake Telegram Bot API on loopback: aiogram talks to it through TELEGRAM_API_BASE.

It answers the methods the product uses the way Telegram does (message objects
with increasing ids, forum topics, files, chat members), records every call with
its parameters decoded, and checks what Telegram checks: the method and its
parameters against the Bot API spec (unknown method → 404 "Not Found"; unknown,
missing or mistyped parameter → 400, see ``telegram_rules.api_problem``), the HTML
of texts and captions (only Telegram's tags, escaped, balanced), their length after
entity parsing, edits that change nothing, deleted topics and kicked bots. On
demand it answers 429 with ``retry_after``, "message thread not found" or "bot was
kicked". A Bot API method the fake does not answer yet gets 501, never a quiet 404.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
import time
from pathlib import Path
from typing import Any

from tests.fakes.server import FakeServer, Request, Response
from tests.fakes.telegram_rules import (
    ADMIN_RIGHTS_OFF,
    NOT_MODIFIED,
    RESTRICTED_DEFAULTS,
    Call,
    api_args,
    api_problem,
    decoded,
    file_object,
    html_problem,
    known_method,
    method_of,
    photo_object,
    telegram_error,
    visible_length,
)

BOT_ID = 7000001
BOT_USERNAME = "my_secretary_bot"
TOKEN = f"{BOT_ID}:AAF4kefakeTokenForTests-only"


# Methods that post a message into a chat (what flood control counts).
POSTING_METHODS = frozenset(
    {
        "sendMessage",
        "copyMessage",
        "forwardMessage",
        "sendMediaGroup",
        "sendPhoto",
        "sendVideo",
        "sendDocument",
        "sendAudio",
        "sendVoice",
        "sendVideoNote",
    }
)


class FakeTelegram(FakeServer):
    """The Bot API methods the product uses, with Telegram's answers and checks."""

    def __init__(self) -> None:
        super().__init__()
        self.bot = {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Secretary",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.chats: dict[int, dict[str, Any]] = {}
        self.members: dict[tuple[int, int], dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.updates: list[dict[str, Any]] = []
        self.webhook: dict[str, Any] = {"url": ""}
        self.gone_threads: set[tuple[int, int]] = set()
        self.kicked_from: set[int] = set()
        self.deleted: set[tuple[int, int]] = set()
        self.topic_names: dict[tuple[int, int], str] = {}  # (chat, thread) -> name given
        self.menu_button: dict[str, Any] = {"type": "default"}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._ids = itertools.count(1000)
        self._threads = itertools.count(500)
        self._state_lock = threading.Lock()
        self.timeline: list[tuple[float, str]] = []  # (monotonic time, method) of each call
        self._rate_limits: dict[str, tuple[int, int]] = {}
        # Telegram's flood control in groups: off unless a test sets it (group_flood_limit).
        self._group_limit: tuple[int, float] | None = None
        self._group_posts: dict[int, list[float]] = {}
        self.flood_refusals = 0
        self.local_dir: Path | None = None  # serve_locally
        self.inline_answers: list[dict[str, Any]] = []  # answerInlineQuery calls accepted
        self.group_post_times: list[float] = []  # accepted posts into groups, while limited
        self.delay = 0.0  # seconds every answer takes: a slow Telegram, for a test that sets it
        # Stop within 50 ms instead of the default half-second poll: most tests start one.
        self._thread = threading.Thread(
            target=lambda: self._httpd.serve_forever(poll_interval=0.05), daemon=True
        )

    # -- configuration helpers ---------------------------------------------------
    def add_group(
        self, chat_id: int, *, title: str = "Мой архив", is_forum: bool = True, username: str = ""
    ) -> None:
        chat = {"id": chat_id, "type": "supergroup", "title": title, "is_forum": is_forum}
        if username:
            chat["username"] = username
        self.chats[chat_id] = chat

    def set_member(self, chat_id: int, user_id: int, status: str, **rights: bool) -> None:
        """Set who ``user_id`` is in ``chat_id``: creator, administrator (with rights), member…"""
        member: dict[str, Any] = {"status": status, "user": self._user(user_id)}
        if status == "administrator":
            member.update(ADMIN_RIGHTS_OFF | {"can_be_edited": False} | rights)
        elif status == "creator":
            member.update({"is_anonymous": False})
        elif status == "restricted":
            member.update(RESTRICTED_DEFAULTS | rights)
        self.members[(chat_id, user_id)] = member

    def add_file(self, file_id: str, content: bytes) -> None:
        self.files[file_id] = content

    def serve_locally(self, directory: Path) -> None:
        """Act as ``telegram-bot-api --local``: getFile puts the file in ``directory`` and
        answers with its absolute path; nothing is served under /file/."""
        self.local_dir = directory

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and ``retry_after``."""
        self._rate_limits[method] = (times, retry_after)

    def group_flood_limit(self, count: int, period: float) -> None:
        """Refuse, as Telegram does, more than ``count`` messages posted into one group
        within ``period`` seconds: 429 with the ``retry_after`` until there is room."""
        self._group_limit = (count, period)

    # -- reading what happened ---------------------------------------------------
    def calls(self, *methods: str) -> list[Call]:
        """Recorded calls of these methods (all when none given), in order.

        A call held by ``stall_next(..., drop_if_gone=True)`` appears only once it
        is processed; one dropped because its client went away never does.
        """
        with self._lock:
            requests = list(self.requests)
        return _calls_among(requests, methods)

    def dropped_calls(self, *methods: str) -> list[Call]:
        """Calls that a ``drop_if_gone`` stall dropped (their client had disconnected)."""
        with self._lock:
            requests = list(self.dropped)
        return _calls_among(requests, methods)

    def methods(self) -> list[str]:
        """Names of the methods called, in order (file downloads appear as ``file``)."""
        with self._lock:
            requests = list(self.requests)
        return [method_of(request) or "file" for request in requests]

    # -- the API -----------------------------------------------------------------
    def route(self, request: Request) -> Response:
        if request.path.startswith("/file/bot"):
            return self._download(request)
        method = method_of(request)
        if method is None:
            return Response(404, telegram_error(404, "Not Found"))
        if not request.path.startswith(f"/bot{TOKEN}/"):
            return Response(401, telegram_error(401, "Unauthorized"))
        if known_method(method) is None:  # what Telegram answers to a method it does not have
            return Response(404, telegram_error(404, "Not Found"))
        handler = getattr(self, f"api_{method}", None)
        if handler is None:  # a Bot API method this fake does not answer yet: say so loudly
            return Response(501, telegram_error(501, f"Not Implemented: the fake has no {method}"))
        self.timeline.append((time.monotonic(), method))
        time.sleep(self.delay)
        args = api_args(request)
        if mistake := api_problem(method, args, request.file_fields):
            return Response(400, telegram_error(400, mistake))
        if limited := self._rate_limited(method):
            return limited
        params = decoded(args, method)
        if flooded := self._flooded(method, params):
            return flooded
        problem = self._refusal(method, params)
        if problem is not None:
            return problem
        with self._state_lock:
            result = handler(params)
        if isinstance(result, Response):
            return result
        return Response(200, {"ok": True, "result": result})

    def _rate_limited(self, method: str) -> Response | None:
        with self._state_lock:
            times, retry_after = self._rate_limits.get(method, (0, 0))
            if not times:
                return None
            self._rate_limits[method] = (times - 1, retry_after)
        description = f"Too Many Requests: retry after {retry_after}"
        return Response(429, telegram_error(429, description, retry_after=retry_after))

    def _flooded(self, method: str, params: dict[str, Any]) -> Response | None:
        chat_id = params.get("chat_id")
        if self._group_limit is None or method not in POSTING_METHODS:
            return None
        if not isinstance(chat_id, int) or chat_id >= 0:
            return None
        count, period = self._group_limit
        posts = len(params.get("media") or []) if method == "sendMediaGroup" else 1
        with self._state_lock:
            now = time.monotonic()
            recent = [at for at in self._group_posts.get(chat_id, []) if at > now - period]
            if len(recent) + posts > count:
                self.flood_refusals += 1
                wait = max(1, math.ceil(recent[len(recent) + posts - count - 1] + period - now))
                description = f"Too Many Requests: retry after {wait}"
                return Response(429, telegram_error(429, description, retry_after=wait))
            self._group_posts[chat_id] = recent + [now] * posts
            self.group_post_times += [now] * posts
        return None

    def _refusal(self, method: str, params: dict[str, Any]) -> Response | None:
        chat_id = params.get("chat_id")
        if chat_id in self.kicked_from:
            return Response(
                403, telegram_error(403, "Forbidden: bot was kicked from the supergroup chat")
            )
        thread = params.get("message_thread_id")
        if thread is not None and (chat_id, thread) in self.gone_threads:
            return Response(400, telegram_error(400, "Bad Request: message thread not found"))
        for field, limit in (("text", 4096), ("caption", 1024)):
            value = params.get(field)
            if value is None:
                continue
            parse_mode = params.get("parse_mode")
            if parse_mode == "HTML" and (problem := html_problem(value)):
                return Response(400, telegram_error(400, f"Bad Request: {problem}"))
            length = visible_length(value, parse_mode)
            if field == "text" and length == 0:
                return Response(400, telegram_error(400, "Bad Request: message text is empty"))
            if length > limit:
                what = "message is too long" if field == "text" else "message caption is too long"
                return Response(400, telegram_error(400, f"Bad Request: {what}"))
        return None

    def api_getMe(self, params: dict[str, Any]) -> Any:
        return self.bot

    def api_sendMessage(self, params: dict[str, Any]) -> Any:
        return self._new_message(params, text=params["text"])

    def api_sendPhoto(self, params: dict[str, Any]) -> Any:
        return self._new_message(params, photo=[photo_object(params["photo"])])

    def api_sendDocument(self, params: dict[str, Any]) -> Any:
        return self._new_message(params, document=file_object(params["document"]))

    def api_sendVideo(self, params: dict[str, Any]) -> Any:
        video = file_object(params["video"], width=1, height=1, duration=1)
        return self._new_message(params, video=video)

    def api_sendAudio(self, params: dict[str, Any]) -> Any:
        return self._new_message(params, audio=file_object(params["audio"], duration=1))

    def api_sendVoice(self, params: dict[str, Any]) -> Any:
        return self._new_message(params, voice=file_object(params["voice"], duration=1))

    def api_sendVideoNote(self, params: dict[str, Any]) -> Any:
        video_note = file_object(params["video_note"], length=1, duration=1)
        return self._new_message(params, video_note=video_note)

    def api_sendMediaGroup(self, params: dict[str, Any]) -> Any:
        messages = []
        for item in params["media"]:
            kind = item["type"]
            media: dict[str, Any] = {
                "photo": [photo_object(item["media"])],
                "video": file_object(item["media"], width=1, height=1, duration=1),
                "document": file_object(item["media"]),
                "audio": file_object(item["media"], duration=1),
            }
            content: dict[str, Any] = {kind: media[kind]}
            if item.get("caption"):
                if problem := html_problem(item["caption"]):
                    return Response(400, telegram_error(400, f"Bad Request: {problem}"))
                content["caption"] = item["caption"]
            messages.append(self._new_message(params, media_group_id="fake-album", **content))
        return messages

    def api_copyMessage(self, params: dict[str, Any]) -> Any:
        source = (params["from_chat_id"], params["message_id"])
        if source in self.deleted:
            return Response(400, telegram_error(400, "Bad Request: message to copy not found"))
        message = self._new_message(params, caption=params.get("caption", ""))
        return {"message_id": message["message_id"]}

    def api_editMessageText(self, params: dict[str, Any]) -> Any:
        key = (params["chat_id"], params["message_id"])
        if key in self.deleted:
            return Response(400, telegram_error(400, "Bad Request: message to edit not found"))
        current = self.messages.get(key)
        new = {"text": params["text"], "reply_markup": params.get("reply_markup")}
        if current is not None and {k: current.get(k) for k in new} == new:
            return Response(400, telegram_error(400, NOT_MODIFIED))
        self.messages[key] = {**(current or {}), **new}
        return self._message_object(params["chat_id"], params["message_id"], self.messages[key])

    def api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        key = (params["chat_id"], params["message_id"])
        current = self.messages.get(key, {})
        if key in self.messages and current.get("reply_markup") == params.get("reply_markup"):
            return Response(400, telegram_error(400, NOT_MODIFIED))
        self.messages[key] = {**current, "reply_markup": params.get("reply_markup")}
        return self._message_object(params["chat_id"], params["message_id"], self.messages[key])

    def api_deleteMessage(self, params: dict[str, Any]) -> Any:
        key = (params["chat_id"], params["message_id"])
        if key in self.deleted:
            return Response(400, telegram_error(400, "Bad Request: message to delete not found"))
        self.deleted.add(key)
        return True

    def api_deleteMessages(self, params: dict[str, Any]) -> Any:
        for message_id in params["message_ids"]:
            self.deleted.add((params["chat_id"], message_id))
        return True

    def api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        return True

    def api_answerInlineQuery(self, params: dict[str, Any]) -> Any:
        """What Telegram checks beyond the types: at most 50 results with unique ids of
        1-64 bytes, sendable message texts, a 64-byte offset, and a button with exactly
        one of ``web_app`` and a well-formed ``start_parameter``."""
        results = params.get("results") or []
        ids = [str(result.get("id", "")) for result in results]
        problem = None
        if len(results) > 50:
            problem = "RESULTS_TOO_MUCH"
        elif len(set(ids)) != len(ids):
            problem = "RESULT_ID_DUPLICATE"
        elif any(not 1 <= len(id_.encode()) <= 64 for id_ in ids):
            problem = "RESULT_ID_INVALID"
        elif len(str(params.get("next_offset", "")).encode()) > 64:
            problem = "NEXT_OFFSET_INVALID"
        problem = problem or _inline_button_problem(params.get("button"))
        for result in results:
            problem = problem or _inline_content_problem(result.get("input_message_content"))
        if problem:
            return Response(400, telegram_error(400, f"Bad Request: {problem}"))
        self.inline_answers.append(params)
        return True

    def api_setMessageReaction(self, params: dict[str, Any]) -> Any:
        return True

    def api_sendChatAction(self, params: dict[str, Any]) -> Any:
        return True

    def _topic_refusal(self, chat_id: int, action: str) -> Response | None:
        """What Telegram says to a topic operation in a chat that is no forum, or where the
        bot may not manage topics (an administrator without can_manage_topics)."""
        chat = self.chats.get(chat_id, {})
        if not chat.get("is_forum", True):
            return Response(400, telegram_error(400, "Bad Request: the chat is not a forum"))
        member = self.members.get((chat_id, BOT_ID))
        if member is not None and not member.get("can_manage_topics", False):
            return Response(
                400, telegram_error(400, f"Bad Request: not enough rights to {action} a topic")
            )
        return None

    def api_createForumTopic(self, params: dict[str, Any]) -> Any:
        if refused := self._topic_refusal(params["chat_id"], "create"):
            return refused
        thread_id = next(self._threads)
        self.topic_names[(params["chat_id"], thread_id)] = params["name"]
        return {
            "message_thread_id": thread_id,
            "name": params["name"],
            "icon_color": params.get("icon_color", 7322096),
        }

    def api_editForumTopic(self, params: dict[str, Any]) -> Any:
        if refused := self._topic_refusal(params["chat_id"], "edit"):
            return refused
        key = (params["chat_id"], params["message_thread_id"])
        if key in self.gone_threads:
            return Response(400, telegram_error(400, "Bad Request: TOPIC_ID_INVALID"))
        name = params.get("name")
        if name is not None and self.topic_names.get(key) == name:
            return Response(400, telegram_error(400, "Bad Request: TOPIC_NOT_MODIFIED"))
        if name is not None:
            self.topic_names[key] = name
        return True

    def api_editGeneralForumTopic(self, params: dict[str, Any]) -> Any:
        if refused := self._topic_refusal(params["chat_id"], "edit"):
            return refused
        self.topic_names[(params["chat_id"], 1)] = params["name"]
        return True

    def api_setChatMenuButton(self, params: dict[str, Any]) -> Any:
        self.menu_button = params.get("menu_button") or {"type": "default"}
        return True

    def api_getChat(self, params: dict[str, Any]) -> Any:
        chat = self.chats.get(params["chat_id"])
        if chat is None:
            return Response(400, telegram_error(400, "Bad Request: chat not found"))
        return {
            **chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def api_getChatMember(self, params: dict[str, Any]) -> Any:
        key = (params["chat_id"], params["user_id"])
        member = self.members.get(key)
        if member is None:
            return {"status": "left", "user": self._user(params["user_id"])}
        return member

    def api_getFile(self, params: dict[str, Any]) -> Any:
        content = self.files.get(params["file_id"])
        if content is None:
            return Response(400, telegram_error(400, "Bad Request: invalid file_id"))
        path = f"voice/{params['file_id']}.oga"
        if self.local_dir is not None:
            local = self.local_dir / path
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_bytes(content)
            path = str(local)
        return {
            "file_id": params["file_id"],
            "file_unique_id": f"u-{params['file_id']}",
            "file_size": len(content),
            "file_path": path,
        }

    def api_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = params.get("offset") or 0
        self.updates = [update for update in self.updates if update["update_id"] >= offset]
        return list(self.updates)

    def api_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {"url": params["url"], "allowed_updates": params.get("allowed_updates")}
        return True

    def api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {"url": ""}
        return True

    def api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": 3,
            "last_error_date": 1795700000,
            "last_error_message": "Wrong response from the webhook: 503 Service Unavailable",
            "allowed_updates": self.webhook.get("allowed_updates") or [],
        }

    def api_setMyCommands(self, params: dict[str, Any]) -> Any:
        return True

    # -- plumbing ----------------------------------------------------------------
    def _download(self, request: Request) -> Response:
        if not request.path.startswith(f"/file/bot{TOKEN}/"):
            return Response(401, "Unauthorized")
        if self.local_dir is not None:
            return Response(404, "Not Found")  # a local server serves no files
        name = request.path.rsplit("/", 1)[-1].removesuffix(".oga")
        content = self.files.get(name)
        if content is None:
            return Response(404, "Not Found")
        return Response(200, content, headers={"Content-Type": "application/octet-stream"})

    def _new_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = params["chat_id"]
        message_id = next(self._ids)
        stored = {**content, "reply_markup": params.get("reply_markup")}
        if params.get("message_thread_id"):
            stored["message_thread_id"] = params["message_thread_id"]
        self.messages[(chat_id, message_id)] = stored
        return self._message_object(chat_id, message_id, stored)

    def _message_object(self, chat_id: int, message_id: int, stored: dict[str, Any]) -> Any:
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self.bot,
        }
        for key, value in stored.items():
            if value not in (None, ""):
                message[key] = value
        if "message_thread_id" in message:
            message["is_topic_message"] = True
        return message

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        return {"id": chat_id, "type": "supergroup", "title": "Group", "is_forum": True}

    def _user(self, user_id: int) -> dict[str, Any]:
        if user_id == BOT_ID:
            return {k: self.bot[k] for k in ("id", "is_bot", "first_name", "username")}
        return {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}


def _inline_button_problem(button: Any) -> str | None:
    if not button:
        return None
    start = button.get("start_parameter")
    if ("web_app" in button) == (start is not None):
        return "BUTTON_TYPE_INVALID"
    if start is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(start)):
        return "START_PARAM_INVALID"
    return None


def _inline_content_problem(content: Any) -> str | None:
    text = (content or {}).get("message_text")
    if text is None:
        return None
    parse_mode = content.get("parse_mode")
    if parse_mode == "HTML" and (problem := html_problem(text)):
        return problem
    length = visible_length(text, parse_mode)
    if length == 0:
        return "MESSAGE_EMPTY"
    return "MESSAGE_TOO_LONG" if length > 4096 else None


def _calls_among(requests: list[Request], methods: tuple[str, ...]) -> list[Call]:
    found = []
    for request in requests:
        method = method_of(request)
        if method and (not methods or method in methods):
            found.append(Call(method, decoded(api_args(request), method)))
    return found
