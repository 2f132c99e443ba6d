from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from servicetorg.core.health import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("helse/", health, name="health"),
    # Staff pages, one prefix per module.
    path("staff/", include("servicetorg.core.urls")),
    path("staff/personvern/", include("servicetorg.privacy.urls")),
    path("staff/tjenester/", include("servicetorg.catalogue.urls")),
    path("staff/henvendelser/", include("servicetorg.inquiries.urls")),
    path("staff/undersokelser/", include("servicetorg.surveys.urls")),
    path("staff/indikatorer/", include("servicetorg.indicators.urls")),
    path("staff/statistikk/", include("servicetorg.benchmarking.urls")),
    path("staff/strategi/", include("servicetorg.strategy.urls")),
    path("staff/brukervalg/", include("servicetorg.choice.urls")),
    path("staff/skolevalg/", include("servicetorg.choice.schools.urls")),
    path("staff/kommunetest/", include("servicetorg.servicetest.urls")),
    # API.
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/catalogue/", include("servicetorg.catalogue.api_urls")),
    path("api/inquiries/", include("servicetorg.inquiries.api_urls")),
    path("api/open311/v2/", include("servicetorg.inquiries.open311_urls")),
    path("api/surveys/", include("servicetorg.surveys.api_urls")),
    path("api/indicators/", include("servicetorg.indicators.api_urls")),
    path("api/statistikk/", include("servicetorg.benchmarking.api_urls")),
    path("api/strategy/", include("servicetorg.strategy.api_urls")),
    path("api/choice/", include("servicetorg.choice.api_urls")),
    path("api/skolevalg/", include("servicetorg.choice.schools.api_urls")),
    path("api/kommunetest/", include("servicetorg.servicetest.api_urls")),
    # Citizen pages of each module, then the portal itself (home, catalogue, open data).
    path("", include("servicetorg.citizens.urls")),
    path("", include("servicetorg.inquiries.public_urls")),
    path("", include("servicetorg.surveys.public_urls")),
    path("", include("servicetorg.benchmarking.public_urls")),
    path("", include("servicetorg.strategy.public_urls")),
    path("", include("servicetorg.choice.public_urls")),
    path("", include("servicetorg.choice.schools.public_urls")),
    path("", include("servicetorg.servicetest.public_urls")),
    path("", include("servicetorg.portal.urls")),
]

# Error pages in the portal's look and the user's language (servicetorg.core.errors).
handler400 = "servicetorg.core.errors.bad_request"
handler403 = "servicetorg.core.errors.permission_denied"
handler404 = "servicetorg.core.errors.page_not_found"
handler500 = "servicetorg.core.errors.server_error"

if settings.OIDC_RP_CLIENT_ID:
    urlpatterns.insert(0, path("oidc/", include("mozilla_django_oidc.urls")))
