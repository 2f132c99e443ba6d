from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from servicetorg.core.permissions import Perm


class ServicetestConfig(AppConfig):
    """The kommunetest (issue 23): test rounds by e-mail, phone and web, their scoring and the
    published results. Holds no citizen's data: test inquiries are written by testers under made-up
    names, and the evidence is what the municipality answered."""

    name = "servicetorg.servicetest"
    label = "servicetest"
    verbose_name = _("Kommunetest")
    staff_menu = [
        ("servicetest:round-list", _("Kommunetest"), Perm.SERVICETEST_COORDINATE),
        ("servicetest:my-items", _("My test items"), Perm.SERVICETEST_TEST),
        ("servicetest:results", _("Kommunetest results"), Perm.STAFF_PAGES),
    ]
    public_menu = [("servicetest_public:home", _("Kommunetest"))]
    open_data = "servicetorg.servicetest.open_data"  # published results per region, CSV and JSON
    personal_data = "servicetorg.servicetest.personal_data"  # the items' evidence (privacy.retention)
