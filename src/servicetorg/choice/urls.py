from django.urls import path

from . import decision_views, evaluation_views, provider_views, views

app_name = "choice"
urlpatterns = [
    path("", views.scheme_list, name="scheme-list"),
    path("ny/", views.scheme_create, name="scheme-create"),
    path("<int:pk>/", views.scheme_detail, name="scheme-detail"),
    path("<int:pk>/rediger/", views.scheme_edit, name="scheme-edit"),
    path("<int:pk>/vedta/", views.scheme_adopt, name="scheme-adopt"),
    path("<int:pk>/ny-versjon/", views.scheme_new_version, name="scheme-new-version"),
    # Providers: the registry, the applications and the provider's own portal (provider_views.py)
    path("leverandorer/", provider_views.provider_list, name="provider-list"),
    path("leverandorer/ny/", provider_views.provider_create, name="provider-create"),
    path("leverandorer/<int:pk>/", provider_views.provider_detail, name="provider-detail"),
    path("leverandorer/<int:pk>/rediger/", provider_views.provider_edit, name="provider-edit"),
    path(
        "leverandorer/<int:pk>/soknad/",
        provider_views.provider_register_application,
        name="provider-register-application",
    ),
    path("leverandorer/<int:pk>/brukere/", provider_views.member_add, name="provider-member-add"),
    path(
        "leverandorer/<int:pk>/brukere/<int:member_pk>/fjern/",
        provider_views.member_remove,
        name="provider-member-remove",
    ),
    path("soknader/", provider_views.application_list, name="application-list"),
    path("soknader/<int:pk>/", provider_views.application_detail, name="application-detail"),
    path("soknader/<int:pk>/vedtak/", provider_views.application_decide, name="application-decide"),
    path(
        "soknader/<int:pk>/dokumenter/<int:document_pk>/",
        provider_views.document_download,
        name="application-document",
    ),
    path("leverandor/", provider_views.portal_home, name="portal-home"),
    path("leverandor/<int:pk>/", provider_views.portal_provider, name="portal-provider"),
    path("leverandor/<int:pk>/profil/", provider_views.portal_profile, name="portal-profile"),
    path("leverandor/<int:pk>/sok/", provider_views.portal_apply, name="portal-apply"),
    path(
        "leverandor/<int:pk>/tilleggstjenester/ny/",
        provider_views.supplementary_create,
        name="portal-supplementary-create",
    ),
    path(
        "leverandor/<int:pk>/tilleggstjenester/<int:item_pk>/",
        provider_views.supplementary_edit,
        name="portal-supplementary-edit",
    ),
    path(
        "leverandor/<int:pk>/tilleggstjenester/<int:item_pk>/slett/",
        provider_views.supplementary_delete,
        name="portal-supplementary-delete",
    ),
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

# Evaluation (aggregates only) and its figures as indicator values.
urlpatterns += [
    path("evaluering/", evaluation_views.dashboard, name="evaluation"),
    path("evaluering/<int:pk>/indikatorer/", evaluation_views.record, name="evaluation-record"),
]

# Visits, attestation and settlement (issue 21, step 3): the provider's pages under leverandor/,
# the settlement office's under oppgjor/, the ordering unit's deviations under avvik/.
from . import settlement_views, visit_views  # noqa: E402

urlpatterns += [
    path("leverandor/besok/", visit_views.visit_list, name="visit-list"),
    path("leverandor/besok/ny/", visit_views.visit_create, name="visit-create"),
    path("leverandor/besok/last-opp/", visit_views.visit_upload, name="visit-upload"),
    path("leverandor/besok/<int:pk>/attester/", visit_views.visit_attest, name="visit-attest"),
    path("leverandor/besok/<int:pk>/korriger/", visit_views.visit_correct, name="visit-correct"),
    path("leverandor/besok/<int:pk>/avlys/", visit_views.visit_cancel, name="visit-cancel"),
    path("leverandor/oppgjor/", visit_views.provider_statements, name="provider-statements"),
    path("oppgjor/", settlement_views.settlement_list, name="settlement-list"),
    path("oppgjor/beregn/", settlement_views.settlement_compute, name="settlement-compute"),
    path("oppgjor/<int:pk>/", settlement_views.settlement_detail, name="settlement-detail"),
    path("oppgjor/<int:pk>/godkjenn/", settlement_views.settlement_approve, name="settlement-approve"),
    path("oppgjor/<int:pk>/betalt/", settlement_views.settlement_pay, name="settlement-pay"),
    path("oppgjor/<int:pk>/oppgjor.<str:fmt>", settlement_views.settlement_export, name="settlement-export"),
    path("avvik/", settlement_views.deviation_list, name="deviation-list"),
]
