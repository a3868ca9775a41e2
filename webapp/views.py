"""The Mini App's one page: the shell the JavaScript builds on, with its strings embedded."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from notes.models import NoteKind, NoteStatus
from topics.formats import DEFAULT_FORMAT_TEMPLATE
from webapp.strings import webapp_strings

# The modules every screen needs, preloaded beside app.js: the browser fetches them at
# once instead of discovering them import by import (a round trip each on a phone).
# Screens load on demand (app.js), so the first one waits for no other screen's code.
MODULES = [
    f"webapp/{name}.js"
    for name in (
        "app",
        "api",
        "actions",
        "dom",
        "i18n",
        "preview",
        "safehtml",
        "telegram",
        "theme",
        "ui",
    )
]


# Telegram Web shows Mini Apps in an iframe; the rest of the site stays unframeable.
# Never cached: a stale page would ask for static files an older deploy had.
@xframe_options_exempt
@never_cache
@require_GET
def miniapp(request: HttpRequest) -> HttpResponse:
    config = {
        "apiBase": f"{get_script_prefix()}api/v1/",
        "defaultFormatTemplate": DEFAULT_FORMAT_TEMPLATE,
        "noteStatuses": list(NoteStatus.values),
        "noteKinds": list(NoteKind.values),
    }
    context = {"strings": webapp_strings(), "config": config, "modules": MODULES}
    return render(request, "webapp/index.html", context)
