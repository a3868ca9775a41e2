"""The Mini App's one page: the shell the JavaScript builds on, with its strings embedded."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from notes.models import NoteKind, NoteStatus
from topics.models import DEFAULT_FORMAT_TEMPLATE
from webapp.strings import webapp_strings

# Every module of the app, preloaded beside app.js: the browser fetches them at once
# instead of discovering them level by level (a round trip each on a phone).
MODULES = sorted(
    f"webapp/{path.name}" for path in (Path(__file__).parent / "static" / "webapp").glob("*.js")
)


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
