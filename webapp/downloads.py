"""The signed download link of an export too big for Telegram (``/archive/download/…``).

The token names the export and its owner and is signed with an expiry; it opens that
file alone, for as long as EXPORT_LINK_TTL allows.
"""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from notes.archive.export import (
    ExportLinkExpired,
    ExportLinkInvalid,
    export_download_name,
    export_job_for_token,
    export_path,
)


@require_GET
@never_cache
def export_download(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        job = export_job_for_token(token)
    except ExportLinkExpired:
        return HttpResponse(
            "This download link has expired: ask the bot for a new /export.\n",
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    except ExportLinkInvalid:
        return HttpResponse(
            "No export here.\n", status=404, content_type="text/plain; charset=utf-8"
        )
    return FileResponse(
        export_path(job).open("rb"), as_attachment=True, filename=export_download_name(job)
    )
