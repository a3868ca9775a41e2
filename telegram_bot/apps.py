from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelegramBotConfig(AppConfig):
    name = "telegram_bot"
    verbose_name = _("Telegram bot")

    def ready(self) -> None:
        from notes.archive.forget import owner_forgetting
        from telegram_bot.archive.services import on_owner_forgetting

        owner_forgetting.connect(on_owner_forgetting, dispatch_uid="telegram_bot.forget")
