from django.urls import path

from . import staff_views, views

app_name = "citizens"
urlpatterns = [
    path("min-side/", views.home, name="home"),
    path("min-side/logg-inn/", views.login, name="login"),
    path("min-side/innlogging/", views.callback, name="callback"),
    path("min-side/logg-ut/", views.logout, name="logout"),
    path("min-side/utlogget/", views.logged_out, name="logged-out"),
    path("min-side/frontchannel-logout/", views.frontchannel_logout, name="frontchannel-logout"),
    path("min-side/handle-for/", views.act_for, name="act-for"),
    path("min-side/mine-data/", views.export, name="export"),
    path("staff/min-side/relasjoner/", staff_views.relations, name="relations"),
]
