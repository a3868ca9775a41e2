from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecretaryConfig(AppConfig):
    name = "secretary"
    verbose_name = _("Secretary")

    def ready(self) -> None:
        from celery.signals import worker_ready
        from django.db.models.signals import post_delete, post_migrate, post_save

        from secretary import metrics
        from secretary.models import Preferences
        from secretary.services import periodic_tasks_sync_after_migrate

        post_migrate.connect(periodic_tasks_sync_after_migrate, sender=self)
        post_save.connect(_preferences_changed, sender=Preferences, weak=False)
        post_delete.connect(_preferences_changed, sender=Preferences, weak=False)
        metrics.collectors_register()
        worker_ready.connect(_serve_worker_metrics, weak=False)


def _preferences_changed(sender: object, instance: object, **kwargs: object) -> None:
    from django.db import transaction

    from secretary.services import preferences_forget

    user_id = getattr(instance, "user_id", None)
    if user_id is not None:
        preferences_forget(user_id=user_id)
        # A transaction still open may be rolled back or read first: forget again after it.
        transaction.on_commit(lambda: preferences_forget(user_id=user_id))


def _serve_worker_metrics(**kwargs: object) -> None:
    """A worker's main process serves its pool's metrics when CELERY_METRICS_PORT is set."""
    from django.conf import settings

    from secretary import metrics

    if settings.CELERY_METRICS_PORT:
        metrics.worker_metrics_serve(settings.CELERY_METRICS_PORT)
