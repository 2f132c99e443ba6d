"""Demo: Fjordvik's satisfaction survey after closed cases, with answers to part of the latest ones.

Called from ``surveys/demo.py`` (after the inquiries demo has closed its cases). Idempotent.
"""

import random

from django.db import transaction
from django.db.models import Count

from servicetorg.core.permissions import SYSTEM
from servicetorg.inquiries.models import Inquiry, State

from .models import Invitation
from .services import satisfaction

COMMENTS = [
    "Raskt og greit svar.",
    "Svaret var litt vanskelig å forstå.",
    "Takk for god hjelp!",
    "Måtte vente lenge, men fikk svar til slutt.",
    "",
    "",
    "",
]


@transaction.atomic
def load(municipality, *, seed: int, services: int = 12, per_service: int = 10, share: float = 0.7) -> None:
    survey = satisfaction.setup_satisfaction_survey(municipality, user=SYSTEM)
    if Invitation.objects.filter(survey=survey).exists():
        return
    rng = random.Random(seed + 10)
    # The latest closed cases of the busiest services (and of unknown service), so that several
    # services and units reach the anonymity threshold.
    latest = (
        Inquiry.objects.filter(municipality=municipality, state=State.CLOSED)
        .select_related("service__responsible_unit", "unit")
        .order_by("-closed_at")
    )
    closed: list[Inquiry] = []
    busiest = (
        latest.exclude(service=None)
        .values_list("service_id", flat=True)
        .annotate(n=Count("id"))
        .order_by("-n", "service_id")[:services]
    )
    for service_id in busiest:
        closed.extend(latest.filter(service_id=service_id)[:per_service])
    closed.extend(latest.filter(service__isnull=True)[:per_service])
    closed.sort(key=lambda i: i.pk)
    # Each service gets its own level, so that the breakdown per service shows differences.
    levels: dict = {}
    for inquiry in closed:
        satisfaction.case_closed(inquiry, user=SYSTEM)
        if rng.random() >= share:
            continue
        level = levels.setdefault(inquiry.service_id, rng.uniform(2.8, 4.6))
        rating = min(5, max(1, round(rng.gauss(level, 0.9))))
        satisfaction.answer(inquiry, rating=rating, comment=rng.choice(COMMENTS), user=SYSTEM)
