from django.urls import path

from . import case_extension, public_views

app_name = "surveys_public"
urlpatterns = [
    path("undersokelser/", public_views.survey_list, name="list"),
    # The satisfaction question of a closed case: the case and its link's secret come in the POST
    # body, so that an access log line names no case (docs/surveys.md).
    path("undersokelser/tilfredshet/", case_extension.answer_page, name="satisfaction"),
    path("undersokelser/<str:public_id>/", public_views.start, name="start"),
    path("undersokelser/<str:public_id>/svar/", public_views.answer, name="answer"),
    path("undersokelser/<str:public_id>/takk/", public_views.thanks, name="thanks"),
]
