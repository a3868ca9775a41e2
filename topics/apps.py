from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TopicsConfig(AppConfig):
    name = "topics"
    verbose_name = _("Forum groups and topics")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from topics.models import Topic

        post_save.connect(_topic_changed, sender=Topic, weak=False)
        post_delete.connect(_topic_changed, sender=Topic, weak=False)


def _topic_changed(sender: object, instance: object, **kwargs: object) -> None:
    from django.db import transaction

    from topics.selectors import topics_forget

    group_id = getattr(instance, "group_id", None)
    topics_forget(group_id=group_id)
    # A transaction still open may be rolled back or read first: forget again after it.
    transaction.on_commit(lambda: topics_forget(group_id=group_id))
