from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecretaryConfig(AppConfig):
    name = "secretary"
    verbose_name = _("Secretary")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from secretary.services import periodic_tasks_sync_after_migrate

        post_migrate.connect(periodic_tasks_sync_after_migrate, sender=self)
