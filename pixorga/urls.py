from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

admin.site.site_header = "Pix Orga — administration de la plateforme"
admin.site.site_title = "Pix Orga"

# The API first: its routes share one prefix, so an API call skips every page pattern (the answer path
# is the hottest of the product) and a page skips the API in one comparison.
api_patterns = [
    path("", include("accounts.api.urls")),
    path("", include("students.api.urls")),
    path("", include("campaigns.api.urls")),
    path("", include("assessments.api.urls")),
    path("", include("certification.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI sets inline styles; allow them on this page only.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]

handler404 = "pixorga.errors.not_found"

urlpatterns = [
    path("api/", include(api_patterns)),
    path("", RedirectView.as_view(pattern_name="accounts:login", permanent=False)),
    path("", include("accounts.urls")),
    path("", include("crcn.urls")),
    path("", include("students.urls")),
    path("", include("campaigns.urls")),
    path("", include("assessments.urls")),
    path("", include("certification.urls")),
    path("admin/", admin.site.urls),
]
