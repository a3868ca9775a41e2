"""Admin actions for support: export an owner's notes, forget owners (confirmed first)."""

from __future__ import annotations

import tempfile

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notes.archive.export import notes_export
from notes.archive.forget import forget_report_lines, owner_forget
from notes.archive.models import ExportFormat
from notes.models import Note
from secretary.models import User


def _export(request: HttpRequest, owners: QuerySet[User], format: str) -> HttpResponseBase | None:
    if owners.count() != 1:
        messages.error(request, _("Select exactly one owner to export."))
        return None
    owner = owners.get()
    out = tempfile.TemporaryFile()  # noqa: SIM115  (the response closes it once sent)
    notes_export(owner=owner, format=format, out=out)
    out.seek(0)
    extension = "zip" if format == ExportFormat.MARKDOWN else "json"
    name = f"notes-{owner.telegram_id or owner.pk}-{timezone.now().date()}.{extension}"
    return FileResponse(out, as_attachment=True, filename=name)


@admin.action(description=gettext_lazy("Export the owner's notes (Markdown vault)"))
def export_markdown(
    modeladmin: admin.ModelAdmin[User], request: HttpRequest, owners: QuerySet[User]
) -> HttpResponseBase | None:
    return _export(request, owners, ExportFormat.MARKDOWN)


@admin.action(description=gettext_lazy("Export the owner's notes (JSON)"))
def export_json(
    modeladmin: admin.ModelAdmin[User], request: HttpRequest, owners: QuerySet[User]
) -> HttpResponseBase | None:
    return _export(request, owners, ExportFormat.JSON)


@admin.action(
    description=gettext_lazy("Forget the selected owners (delete all their data)"),
    permissions=["delete"],
)
def forget_owners(
    modeladmin: admin.ModelAdmin[User], request: HttpRequest, owners: QuerySet[User]
) -> HttpResponse | None:
    staff = owners.filter(is_staff=True)
    if staff.exists():
        messages.error(request, _("Staff accounts are not forgotten this way."))
        return None
    if request.POST.get("confirmed") != "yes":
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": _("Forget these owners?"),
            "owners": [(owner, Note.objects.filter(owner=owner).count()) for owner in owners],
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "opts": modeladmin.model._meta,
        }
        return TemplateResponse(request, "admin/forget_owners_confirmation.html", context)
    for owner in list(owners):
        counts = owner_forget(owner=owner)
        messages.success(
            request,
            _("%(owner)s forgotten: %(counts)s")
            % {"owner": owner, "counts": "; ".join(forget_report_lines(counts))},
        )
    return None
