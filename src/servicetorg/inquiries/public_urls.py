from django.urls import path

from . import public_views

app_name = "inquiries_public"
urlpatterns = [
    path("kontakt/", public_views.contact, name="contact"),
    path("kontakt/kvittering/", public_views.receipt, name="receipt"),
    path("adressesok/", public_views.address_search, name="address-search"),
    path("kontakt/<slug:slug>/", public_views.contact, name="contact-service"),
    path("sak/", public_views.lookup, name="lookup"),
    path("sak/<str:reference>/", public_views.case, name="case-query"),
    # Before the link's path: "kode" is no token (tokens are 32 characters).
    path("sak/<str:reference>/kode/", public_views.case_code, name="case-code"),
    path("sak/<str:reference>/vedlegg/<int:pk>/", public_views.case_attachment, name="case-attachment"),
    path("sak/<str:reference>/<str:token>/", public_views.open_case, name="case"),
    path(
        "sak/<str:reference>/<str:token>/vedlegg/<int:pk>/",
        public_views.open_case_attachment,
        name="case-link-attachment",
    ),
]
