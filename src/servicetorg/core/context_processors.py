from django.conf import settings

from .tenancy import municipality_ids


def platform(request):
    user = getattr(request, "user", None)
    is_staff_user = bool(
        user and user.is_authenticated and (municipality_ids(user) is None or municipality_ids(user))
    )
    return {"PLATFORM_NAME": "Servicetorg", "DEBUG": settings.DEBUG, "is_staff_user": is_staff_user}
