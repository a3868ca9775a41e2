from django.conf import settings
from django.http import HttpRequest


def deployment(request: HttpRequest) -> dict[str, object]:
    """Lets templates tell a development deployment from production."""
    return {"deployment_is_debug": settings.DEBUG}
