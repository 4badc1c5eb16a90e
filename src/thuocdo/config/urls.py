"""Root URL configuration: pages per app, the versioned API and language switching."""

from django.urls import include, path
from django.views.i18n import set_language

from thuocdo.api.main import api
from thuocdo.assessments.views.public import verify_certificate

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("accounts/", include("thuocdo.accounts.urls")),
    path("geo/", include("thuocdo.geo.urls")),
    path("frameworks/", include("thuocdo.frameworks.urls")),
    path("assessments/", include("thuocdo.assessments.urls")),
    path("analytics/", include("thuocdo.analytics.urls")),
    path("public/", include("thuocdo.publishing.urls")),
    path("ecosystem/", include("thuocdo.ecosystem.urls")),
    path("indicators/", include("thuocdo.indicators.urls")),
    path("plans/", include("thuocdo.plans.urls")),
    path("dti/", include("thuocdo.dti.urls")),
    path("verify/<str:code>/", verify_certificate, name="verify"),
    path("", include("thuocdo.core.urls")),
]

handler400 = "thuocdo.core.views.bad_request"
handler403 = "thuocdo.core.views.permission_denied"
handler404 = "thuocdo.core.views.page_not_found"
handler500 = "thuocdo.core.views.server_error"
