from django.conf import settings

from .menus import menu
from .portal import portal_municipality
from .tenancy import municipality_ids


def platform(request):
    user = getattr(request, "user", None)
    allowed = municipality_ids(user) if user is not None and user.is_authenticated else set()
    is_staff_user = allowed is None or bool(allowed)
    return {
        "PLATFORM_NAME": "Servicetorg",
        "DEBUG": settings.DEBUG,
        "oidc_enabled": bool(settings.OIDC_RP_CLIENT_ID),
        "is_staff_user": is_staff_user,
        "portal_municipality": portal_municipality(request),
        "portal_menu": menu("public_menu"),
        "staff_menu": menu("staff_menu") if is_staff_user else [],
    }
