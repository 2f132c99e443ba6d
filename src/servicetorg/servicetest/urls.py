"""The kommunetest's staff pages (/staff/kommunetest/, namespace ``servicetest``)."""

from django.urls import path

from . import views

app_name = "servicetest"
urlpatterns = [
    path("", views.round_list, name="round-list"),
    path("runder/ny/", views.round_create, name="round-create"),
    path("runder/<int:pk>/", views.round_detail, name="round-detail"),
    path("runder/<int:pk>/steg/<slug:action>/", views.round_action, name="round-action"),
    path("runder/<int:pk>/regioner/", views.region_add, name="region-add"),
    path("runder/<int:pk>/trekk/", views.region_draw, name="region-draw"),
    path("runder/<int:pk>/regioner/<int:region_pk>/fjern/", views.region_remove, name="region-remove"),
    path("runder/<int:pk>/testere/", views.tester_enrol, name="tester-enrol"),
    path("runder/<int:pk>/godkjenn/", views.approve_all, name="approve-all"),
    path("punkter/<int:pk>/", views.item_detail, name="item-detail"),
    path("punkter/<int:pk>/tester/", views.item_assign, name="item-assign"),
    path("punkter/<int:pk>/<slug:action>/", views.item_action, name="item-action"),
    path("sporsmal/", views.question_list, name="question-list"),
    path("mine/", views.my_items, name="my-items"),
    path("mine/<int:pk>/", views.item_record, name="item-record"),
    path("resultater/", views.results, name="results"),
    path("resultater/<int:pk>/", views.result_detail, name="result-detail"),
    path("resultater/punkt/<int:pk>/tiltak/", views.make_measure, name="make-measure"),
]
