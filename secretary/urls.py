from django.contrib import admin
from django.urls import include, path

from secretary import health

admin.site.site_header = "Personal Secretary"
admin.site.site_title = "Personal Secretary"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("telegram/", include("telegram_bot.urls")),
    path("", include("django_prometheus.urls")),
]
