"""The doctor's Telegram checks: the token, the webhook, each linked group's rights.

They live beside the bot so that the domain's checks (``secretary.doctor``) never
import it; they answer with the same ``Check``. Telegram is asked through the
gateway, each call with a short timeout. What a group lacks is worked out by the
same rule /connect and the Mini App use (``group_connect_problems``), only worded
for an operator. Telegram's error texts are not repeated (a network error's text
may carry the Bot API URL, and with it the token); the webhook's last error is,
because it is what Telegram says about our server.

aiogram takes seconds to import; with no token there is nothing to ask Telegram, so
it is imported only once a token is there (and the fresh machine's doctor is quick).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from secretary.doctor import Check, Status
from topics.models import ForumGroup
from topics.services import ConnectProblem, group_connect_problems

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.types import WebhookInfo

logger = logging.getLogger(__name__)

TELEGRAM_TIMEOUT_SECONDS = 5
WEBHOOK_PENDING_MAX = 100
WEBHOOK_ERROR_RECENT = timedelta(hours=1)
WEBHOOK_ERROR_SHOWN = 100  # characters of Telegram's last error

PROBLEM_WORDS = {
    ConnectProblem.NOT_ADMIN: "nobody who is an admin there linked it",
    ConnectProblem.TOPICS_OFF: "Topics are off: turn them on in the group's settings",
    ConnectProblem.BOT_NOT_MEMBER: "the bot is not a member: add it as an admin",
    ConnectProblem.CANNOT_MANAGE_TOPICS: (
        "the bot lacks the “Manage topics” right: give it in the group's admin settings"
    ),
    ConnectProblem.CANNOT_POST: "the bot may not post: lift its restrictions or make it an admin",
}


@dataclass(frozen=True)
class LinkedGroup:
    chat_id: int
    title: str

    @property
    def label(self) -> str:
        return f"group «{self.title}» ({self.chat_id})" if self.title else f"group {self.chat_id}"


def telegram_checks() -> list[Check]:
    """The token first: without it (or with a refused one) nothing else can be asked."""
    if not settings.TELEGRAM_BOT_TOKEN:
        return [Check("bot token", Status.FAIL, "TELEGRAM_BOT_TOKEN is not set")]
    from aiogram.utils.token import TokenValidationError

    from telegram_bot.client import with_bot

    groups = _linked_groups()
    try:
        return with_bot(lambda bot: _ask_telegram(bot, groups))
    except TokenValidationError:
        return [
            Check("bot token", Status.FAIL, "malformed: copy TELEGRAM_BOT_TOKEN from @BotFather")
        ]
    except Exception as error:  # the rest of the report still matters
        logger.warning("doctor: the Telegram checks crashed (%s)", type(error).__name__)
        return [Check("Telegram", Status.FAIL, f"the check itself failed ({type(error).__name__})")]


def _linked_groups() -> list[LinkedGroup] | None:
    """The groups owners linked; None when the database cannot say."""
    try:
        with transaction.atomic():
            rows = ForumGroup.objects.filter(owner__isnull=False).values_list("chat_id", "title")
            return [LinkedGroup(chat_id, title) for chat_id, title in rows]
    except Exception:  # the database check names the cause
        return None


async def _ask_telegram(bot: Bot, groups: list[LinkedGroup] | None) -> list[Check]:
    token = await token_check(bot)
    if token.status is Status.FAIL:
        return [token]
    checks = [token, await webhook_check(bot)]
    if groups is None:
        checks.append(Check("groups", Status.FAIL, "cannot be read: see the database line"))
    elif not groups:
        checks.append(
            Check(
                "groups", Status.WARN, "none linked yet: an admin sends /connect in a forum group"
            )
        )
    for group in groups or []:
        checks.append(await group_check(bot, group))
    return checks


async def token_check(bot: Bot) -> Check:
    from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramUnauthorizedError

    from telegram_bot import gateway

    try:
        me = await gateway.bot_info(bot, request_timeout=TELEGRAM_TIMEOUT_SECONDS)
    except TelegramUnauthorizedError:
        return Check("bot token", Status.FAIL, "Telegram refused it: check TELEGRAM_BOT_TOKEN")
    except TelegramNetworkError:
        return Check(
            "bot token",
            Status.FAIL,
            "the Bot API did not answer: check TELEGRAM_API_BASE and the network",
        )
    except TelegramAPIError as error:
        return Check(
            "bot token", Status.FAIL, f"getMe refused ({type(error).__name__}): check the token"
        )
    return Check("bot token", Status.OK, f"@{me.username}")


async def webhook_check(bot: Bot) -> Check:
    from aiogram.exceptions import TelegramAPIError

    from telegram_bot import gateway

    try:
        info = await gateway.webhook_info(bot, request_timeout=TELEGRAM_TIMEOUT_SECONDS)
    except TelegramAPIError as error:
        return Check("webhook", Status.FAIL, f"getWebhookInfo failed ({type(error).__name__})")
    return webhook_verdict(info)


def webhook_verdict(info: WebhookInfo) -> Check:
    """Where Telegram sends updates, measured against PUBLIC_URL; what waits; what failed."""
    from telegram_bot.services.setup import SetupError, webhook_url

    where = info.url or "none: long polling / runbot"
    backlog = _webhook_backlog(info)
    if settings.PUBLIC_URL:
        try:
            expected = webhook_url()
        except SetupError as error:
            return Check("webhook", Status.FAIL, f"{error} ({where}, {backlog})")
        if info.url != expected:
            return Check(
                "webhook",
                Status.FAIL,
                f"{where}, not {expected}: run manage.py set_webhook ({backlog})",
            )
    facts = f"{where}, {backlog}"
    if info.pending_update_count > WEBHOOK_PENDING_MAX:
        return Check("webhook", Status.WARN, f"{facts}; updates pile up: is anything taking them?")
    error_at = info.last_error_date
    if info.last_error_message and error_at and timezone.now() - error_at < WEBHOOK_ERROR_RECENT:
        return Check("webhook", Status.WARN, f"{facts}; the error is recent: see the web log")
    return Check("webhook", Status.OK, facts)


def _webhook_backlog(info: WebhookInfo) -> str:
    """Updates waiting, and Telegram's last failure to deliver one (its words, cut short)."""
    facts = [f"{info.pending_update_count} pending"]
    if info.last_error_message:
        when = (
            f" {info.last_error_date.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
            if info.last_error_date
            else ""
        )
        facts.append(f"last error{when}: {info.last_error_message[:WEBHOOK_ERROR_SHOWN]}")
    return ", ".join(facts)


async def group_check(bot: Bot, group: LinkedGroup) -> Check:
    """Topics on, and the bot a member that may manage topics and post (as /connect asks)."""
    from aiogram.exceptions import TelegramAPIError

    from telegram_bot import gateway
    from telegram_bot.client import is_bot_removed
    from telegram_bot.services.groups import bot_rights

    try:
        seconds = TELEGRAM_TIMEOUT_SECONDS
        chat = await gateway.group_info(bot, group.chat_id, request_timeout=seconds)
        member = await gateway.bot_member(bot, group.chat_id, request_timeout=seconds)
    except TelegramAPIError as error:
        if is_bot_removed(error):
            return Check(
                group.label,
                Status.FAIL,
                "the bot is not in it (removed, or the group is gone): add it back as an admin",
            )
        return Check(group.label, Status.FAIL, f"Telegram did not say ({type(error).__name__})")
    problems = group_connect_problems(
        user_is_admin=True, is_forum=bool(chat.is_forum), rights=bot_rights(member)
    )
    if problems:
        return Check(group.label, Status.FAIL, "; ".join(PROBLEM_WORDS[p] for p in problems))
    return Check(group.label, Status.OK, "topics on; the bot may manage topics and post")
