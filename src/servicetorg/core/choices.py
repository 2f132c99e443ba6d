"""Choices shared by several modules."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    DESK_WORKER = "desk_worker", _("Desk worker")
    CASE_OFFICER = "case_officer", _("Case officer")
    UNIT_LEADER = "unit_leader", _("Unit leader")
    ADMINISTRATION = "administration", _("Administration")
    COUNCIL = "council", _("Council (read)")
    PROVIDER = "provider", _("Provider")
    SCHOOL_OFFICE = "school_office", _("School office")
    TEST_COORDINATOR = "test_coordinator", _("Test coordinator (kommunetest)")
    TESTER = "tester", _("Tester (kommunetest)")
    ADMIN = "admin", _("Administrator")


class Channel(models.TextChoices):
    """Channels through which a citizen reaches the municipality (and a service can be done)."""

    PHONE = "phone", _("Phone")
    COUNTER = "counter", _("In person at the desk")
    EMAIL = "email", _("E-mail")
    WEB_FORM = "web_form", _("Web form")
    LETTER = "letter", _("Letter")
    SOCIAL_MEDIA = "social_media", _("Social media")


class UnitKind(models.TextChoices):
    MUNICIPAL = "municipal", _("Municipal unit")
    STATE_AGENCY = "state_agency", _("State agency")


class OpenDataLicense(models.TextChoices):
    """Licences a municipality may publish its open data under (codes of the EU licence vocabulary)."""

    NLOD = "NLOD_2_0", _("Norwegian Licence for Open Government Data (NLOD 2.0)")
    CC_BY = "CC_BY_4_0", _("Creative Commons Attribution 4.0 (CC BY 4.0)")
