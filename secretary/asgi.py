"""ASGI entry point: uvicorn serves the webhook, the API, the Mini App and admin."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretary.settings")

application = get_asgi_application()
