from django.urls import path

from . import brochure, min_side, public_views

app_name = "choice_public"
urlpatterns = [
    path("brukervalg/", public_views.scheme_list, name="list"),
    path("brukervalg/<int:pk>/", public_views.scheme_detail, name="detail"),
]
urlpatterns += [
    path("brukervalg/<int:pk>/brosjyre.pdf", brochure.brochure, name="brochure"),
    path("min-side/brukervalg/<int:pk>/velg/", min_side.choose, name="min-side-choose"),
    path("min-side/brukervalg/<int:pk>/kvittering/", min_side.receipt, name="min-side-receipt"),
]
