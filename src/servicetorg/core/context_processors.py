from django.conf import settings

from .menus import menu
from .permissions import Perm, municipality_ids
from .portal import portal_municipality

#: Each language named in itself, for the language buttons.
LANGUAGE_CHOICES = (("nb", "Bokmål"), ("nn", "Nynorsk"), ("en", "English"))


def platform(request):
    user = getattr(request, "user", None)
    allowed = (
        municipality_ids(user, Perm.STAFF_PAGES) if user is not None and user.is_authenticated else set()
    )
    is_staff_user = allowed is None or bool(allowed)
    signed_in = user is not None and user.is_authenticated
    return {
        "PLATFORM_NAME": "Servicetorg",
        "LANGUAGE_CHOICES": LANGUAGE_CHOICES,
        # ``lang`` for content written in Norwegian when the interface is in another language.
        "CONTENT_LANG": settings.CONTENT_LANGUAGE,
        "DEBUG": settings.DEBUG,
        "oidc_enabled": bool(settings.OIDC_RP_CLIENT_ID),
        "is_staff_user": is_staff_user,
        "portal_municipality": portal_municipality(request),
        "portal_menu": menu("public_menu"),
        # A user without the staff pages (a provider) sees the entries of the rights she holds.
        "staff_menu": menu("staff_menu", actor=user, named_only=not is_staff_user) if signed_in else [],
    }
