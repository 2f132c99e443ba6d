from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from servicetorg.core.permissions import Perm


class BenchmarkingConfig(AppConfig):
    """The register of municipalities, official statistics for every region, comparison and ranking.

    Official statistics are public: they hold no personal data and belong to no tenant."""

    name = "servicetorg.benchmarking"
    verbose_name = _("Benchmarking")
    staff_menu = [
        ("benchmarking:ranking-methods", _("Ranking of municipalities"), Perm.BENCHMARK_EDIT),
        ("benchmarking:owndata-choice-list", _("Own figures in the benchmark"), Perm.BENCHMARK_EDIT),
        ("benchmarking:official-import", _("Import official statistics"), Perm.BENCHMARK_EDIT),
        ("benchmarking:peer-group-list", _("Saved peer groups"), Perm.BENCHMARK_EDIT),
        ("benchmarking:kostra-groups", _("KOSTRA groups"), Perm.BENCHMARK_EDIT),
    ]
    # One entry: the hub links the register, the ranking, comparison and own figures.
    public_menu = [("benchmarking_public:hub", _("Statistics"))]
    open_data = "servicetorg.benchmarking.open_data"  # published rankings (CSV, JSON); each part adds its own
