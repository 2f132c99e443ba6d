from django.urls import path

from . import decision_views, views

app_name = "choice"
urlpatterns = [
    path("", views.scheme_list, name="scheme-list"),
    path("ny/", views.scheme_create, name="scheme-create"),
    path("<int:pk>/", views.scheme_detail, name="scheme-detail"),
    path("<int:pk>/rediger/", views.scheme_edit, name="scheme-edit"),
    path("<int:pk>/vedta/", views.scheme_adopt, name="scheme-adopt"),
    path("<int:pk>/ny-versjon/", views.scheme_new_version, name="scheme-new-version"),
]

# Care decisions and choices (the ordering unit), waiting lists, a provider's withdrawal, a provider's users.
urlpatterns += [
    path("vedtak/", decision_views.decision_list, name="decision-list"),
    path("vedtak/ny/", decision_views.decision_create, name="decision-create"),
    path("vedtak/<int:pk>/", decision_views.decision_detail, name="decision-detail"),
    path("vedtak/<int:pk>/ny-versjon/", decision_views.decision_new_version, name="decision-new-version"),
    path("vedtak/<int:pk>/avslutt/", decision_views.decision_end, name="decision-end"),
    path("vedtak/<int:pk>/velg/", decision_views.decision_choose, name="decision-choose"),
    path("vedtak/<int:pk>/standard/", decision_views.decision_default, name="decision-default"),
    path("vedtak/<int:pk>/valg/<int:choice_pk>/avbryt/", decision_views.choice_cancel, name="choice-cancel"),
    path("ventelister/", decision_views.waiting_lists, name="waiting-lists"),
    path("ventelister/<int:provider_pk>/plasser/", decision_views.waiting_place, name="waiting-place"),
    path(
        "soknader/<int:pk>/trekk-tilbake/", decision_views.application_withdraw, name="application-withdraw"
    ),
    path("soknader/<int:pk>/flyttinger/", decision_views.application_moves, name="application-moves"),
    path("leverandor/brukere/", decision_views.provider_users, name="provider-users"),
    path("leverandor/brukere/<int:pk>/", decision_views.provider_user, name="provider-user"),
]
