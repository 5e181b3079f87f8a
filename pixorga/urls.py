from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

admin.site.site_header = "Pix Orga — administration de la plateforme"
admin.site.site_title = "Pix Orga"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:login", permanent=False)),
    path("", include("accounts.urls")),
    path("", include("crcn.urls")),
    path("", include("students.urls")),
    path("", include("campaigns.urls")),
    path("", include("assessments.urls")),
    path("", include("certification.urls")),
    path("api/", include("accounts.api.urls")),
    path("api/", include("students.api.urls")),
    path("api/", include("campaigns.api.urls")),
    path("api/", include("assessments.api.urls")),
    path("api/", include("certification.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI sets inline styles; allow them on this page only.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]
