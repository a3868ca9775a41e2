"""WSGI entry point, for tools that want one; production runs under ASGI."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretary.settings")

application = get_wsgi_application()
