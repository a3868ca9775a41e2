from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebappConfig(AppConfig):
    name = "webapp"
    verbose_name = _("Mini App")

    def ready(self) -> None:
        from webapp.api import schema  # noqa: F401 - registers the auth scheme with the schema
