"""The Django admin for superusers only (issue 11, ASVS V4: the admin is not scoped by municipality).

Django lets any active ``is_staff`` account into the admin, where each model's permissions then
decide; this project's roles (core/permissions.py) are per municipality and the admin's are not, so
a staff account of one municipality could read another's data there. The admin is the platform
operators' tool: only an active superuser who has passed the second factor (when ``MFA_REQUIRED``;
RequireMFAMiddleware also sends everyone else on /admin/ to it) gets any admin page. Staff work in
their municipality's own pages (/staff/).
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig


class SuperuserAdminSite(admin.AdminSite):
    def login(self, request, extra_context=None):
        from .security import guard_login

        return guard_login(super().login)(request, extra_context)

    def has_permission(self, request) -> bool:
        from .security import mfa_satisfied

        user = request.user
        return bool(user.is_active and user.is_superuser and mfa_satisfied(request))


class SuperuserAdminConfig(AdminConfig):
    default_site = "servicetorg.core.admin_site.SuperuserAdminSite"
