from django.urls import path

from . import views

app_name = "strategy"
urlpatterns = [
    path("", views.strategy_list, name="strategy-list"),
    path("ny/", views.strategy_create, name="strategy-create"),
    path("<int:pk>/", views.strategy_detail, name="strategy-detail"),
    path("<int:pk>/rediger/", views.strategy_edit, name="strategy-edit"),
    path("<int:pk>/innsatsomrade/", views.focus_area_add, name="focus-area-add"),
    path("<int:pk>/mal/", views.goal_add, name="goal-add"),
    path("<int:pk>/mal/<int:goal_pk>/indikator/", views.goal_indicator_add, name="goal-indicator-add"),
    path("<int:pk>/malverdi/<int:link_pk>/", views.target_set, name="target-set"),
    path("<int:pk>/virkemiddel/", views.instrument_add, name="instrument-add"),
    path("<int:pk>/<str:kind>/<int:item_pk>/endre/", views.item_edit, name="item-edit"),
    path("<int:pk>/status/", views.status_add, name="status-add"),
    path("<int:pk>/tiltak/", views.measure_add, name="measure-add"),
    path("<int:pk>/tiltak/<int:measure_pk>/fremdrift/", views.measure_progress, name="measure-progress"),
    path("<int:pk>/overgang/", views.strategy_transition, name="strategy-transition"),
    path("<int:pk>/rullering/", views.strategy_roll, name="strategy-roll"),
    path("<int:pk>/merknader/", views.comment_list, name="comment-list"),
    path("<int:pk>/merknader/<int:comment_pk>/", views.comment_moderate, name="comment-moderate"),
    path("<int:pk>/oppfolging/", views.report_create, name="report-create"),
    path("oppfolging/<int:pk>/", views.report_detail, name="report-detail"),
    path("oppfolging/<int:pk>/overgang/", views.report_transition, name="report-transition"),
    path("oppfolging/<int:pk>/pdf/", views.report_pdf, name="report-pdf"),
]
