from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="survey-list"),
    path("ny/", views.survey_create, name="survey-create"),
    path("ny/fra-mal/", views.survey_from_template, name="survey-from-template"),
    path("<int:pk>/", views.survey_detail, name="survey-detail"),
    path("<int:pk>/innstillinger/", views.survey_edit, name="survey-edit"),
    path("<int:pk>/seksjon/", views.section_add, name="section-add"),
    path("<int:pk>/sporsmal/ny/", views.question_add, name="question-add"),
    path("<int:pk>/sporsmal/<int:question_pk>/", views.question_edit, name="question-edit"),
    path("<int:pk>/sporsmal/<int:question_pk>/slett/", views.question_delete, name="question-delete"),
    path("<int:pk>/publiser/", views.survey_publish, name="survey-publish"),
    path("<int:pk>/avslutt/", views.survey_close, name="survey-close"),
    path("<int:pk>/invitasjoner/", views.invitations_create, name="invitations-create"),
    path("<int:pk>/resultater/", views.results, name="results"),
    path("<int:pk>/rapport/", views.report, name="report"),
    path("<int:pk>/krysstabell/", views.crosstab, name="crosstab"),
    path("<int:pk>/sammenligning/", views.compare, name="compare"),
    path("<int:pk>/korrelasjoner/", views.correlations, name="correlations"),
    path("<int:pk>/fritekst/<int:question_pk>/", views.free_text, name="free-text"),
    path("<int:pk>/diagram/<int:question_pk>.svg", views.question_chart, name="question-chart"),
    path("<int:pk>/eksport.csv", views.export_csv, name="export-csv"),
    path("<int:pk>/eksport.xlsx", views.export_xlsx, name="export-xlsx"),
    path("<int:pk>/import/", views.import_csv, name="import"),
    path("<int:pk>/indikator/", views.publish_indicator, name="publish-indicator"),
]
