from django.urls import path

from . import public_views

app_name = "strategy_public"
urlpatterns = [
    path("strategi/", public_views.strategy_home, name="home"),
    path("strategi/versjon/<int:pk>/", public_views.strategy_revision, name="revision"),
    path("strategi/horing/<int:pk>/", public_views.consultation, name="consultation"),
    path("strategi/oppfolging/<int:pk>/", public_views.report_page, name="report"),
    path("strategi/oppfolging/<int:pk>/pdf/", public_views.report_pdf, name="report-pdf"),
]
