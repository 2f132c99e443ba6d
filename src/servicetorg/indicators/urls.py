from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.indicator_list, name="indicator-list"),
    path("ny/", views.indicator_create, name="indicator-create"),
    path("<int:pk>/", views.indicator_detail, name="indicator-detail"),
    path("import/csv/", views.import_csv, name="import-csv"),
    path("fra-henvendelser/", views.record_inquiry_figures, name="record-inquiry-figures"),
    path("import/jsonstat/", views.import_jsonstat, name="import-jsonstat"),
]
