"""School choice for families (namespace ``schools_public``): the rules, the schools, the published
cutoffs, and on Min side the application, the placement with its explanation, the answer and the
appeal."""

from django.urls import path

from . import min_side, public_views

app_name = "schools_public"
urlpatterns: list = [
    path("skolevalg/", public_views.home, name="home"),
    path("skolevalg/runder/<int:pk>/", public_views.round_detail, name="round"),
    path("skolevalg/skoler/<int:pk>/", public_views.school_detail, name="school"),
    path("min-side/skolevalg/<int:round_pk>/sok/", min_side.apply, name="apply"),
    path("min-side/skolevalg/soknad/<int:pk>/", min_side.application, name="application"),
    path("min-side/skolevalg/soknad/<int:pk>/kvittering/", min_side.receipt, name="receipt"),
    path("min-side/skolevalg/soknad/<int:pk>/endre/", min_side.change, name="change"),
    path("min-side/skolevalg/soknad/<int:pk>/trekk/", min_side.withdraw, name="withdraw"),
    path("min-side/skolevalg/plass/<int:pk>/", min_side.placement, name="placement"),
    path("min-side/skolevalg/plass/<int:pk>/svar/", min_side.answer, name="answer"),
    path("min-side/skolevalg/plass/<int:pk>/klage/", min_side.appeal, name="appeal"),
    path("min-side/skolevalg/klage/<int:pk>/", min_side.appeal_receipt, name="appeal-receipt"),
    path("min-side/skolevalg/klage/<int:pk>/trekk/", min_side.withdraw_appeal, name="appeal-withdraw"),
]
