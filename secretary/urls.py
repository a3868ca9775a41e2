from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from secretary import health
from webapp.downloads import export_download

admin.site.site_header = "Personal Secretary"
admin.site.site_title = "Personal Secretary"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("archive/download/<str:token>/", export_download, name="export-download"),
    path("telegram/", include("telegram_bot.urls")),
    path("api/v1/", include("webapp.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("webapp/", include("webapp.urls")),
    path("", include("django_prometheus.urls")),
]
