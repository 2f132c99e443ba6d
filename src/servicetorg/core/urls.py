from django.contrib.auth import views as auth_views
from django.urls import path

from . import security, views

app_name = "core"
urlpatterns = [
    path("", views.staff_home, name="staff-home"),
    path(
        "logg-inn/",
        security.guard_login(auth_views.LoginView.as_view(template_name="core/login.html")),
        name="login",
    ),
    path("logg-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("utboks/", views.outbox_list, name="outbox"),
    path("utboks/<int:pk>/send-igjen/", views.outbox_retry, name="outbox-retry"),
    path("passord/", views.password_change, name="password-change"),
    path("to-trinn/", views.mfa, name="mfa"),
    path("to-trinn/ny/", views.mfa_enrol, name="mfa-enrol"),
]
