"""Staff pages of the own figures at /staff/statistikk/egne-tall/."""

from django.urls import path

from . import views

urlpatterns: list = [
    path("", views.choice_list, name="owndata-choice-list"),
    path("<int:municipality_pk>/", views.choices, name="owndata-choices"),
]
