from django.urls import path

from . import brochure, min_side, public_provider_views, public_views

app_name = "choice_public"
urlpatterns = [
    path("brukervalg/", public_views.scheme_list, name="list"),
    path("brukervalg/<int:pk>/", public_views.scheme_detail, name="detail"),
    path("brukervalg/<int:pk>/sok/", public_provider_views.apply, name="apply"),
    path("brukervalg/<int:pk>/sok/kvittering/", public_provider_views.apply_receipt, name="apply-receipt"),
    path("brukervalg/<int:pk>/leverandorer/", public_provider_views.comparison, name="providers"),
    path(
        "brukervalg/<int:pk>/leverandorer/<int:provider_pk>/",
        public_provider_views.provider_profile,
        name="provider",
    ),
]
urlpatterns += [
    path("brukervalg/<int:pk>/brosjyre.pdf", brochure.brochure, name="brochure"),
    path("min-side/brukervalg/<int:pk>/velg/", min_side.choose, name="min-side-choose"),
    path("min-side/brukervalg/<int:pk>/kvittering/", min_side.receipt, name="min-side-receipt"),
    path(
        "min-side/brukervalg/<int:pk>/valg/<int:choice_pk>/avbryt/", min_side.cancel, name="min-side-cancel"
    ),
]

from . import visit_views  # noqa: E402

urlpatterns += [
    path("min-side/brukervalg/besok/", visit_views.citizen_visits, name="visits"),
]
