"""The printable brochure of a scheme (PDF, tagged PDF/UA-1, WeasyPrint), on the list seed 004 gives
of what users must be told: what the scheme is and is not, what the municipality answers for, whom
to ask, what she must do to choose, what marks each provider, how to switch and how to complain."""

import logging

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone

from servicetorg.core.portal import portal_municipality

from . import choices, notice, public_views, selectors
from .models import PriceModel

for _name in ("weasyprint", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)


def brochure_context(scheme) -> dict:
    today = timezone.localdate()
    providers = [(p, choices.is_full(p, today)) for p in choices.approved_providers(scheme)]
    return {
        "scheme": scheme,
        "municipality": scheme.municipality,
        "providers": providers,
        "notice_text": notice.describe(scheme),
        "first_text": notice.describe_first(),
        "default_text": public_views.default_text(scheme),
        "mode_text": public_views.mode_text(scheme),
        "rates": scheme.rates.all(),
        "hourly": scheme.price_model == PriceModel.HOURLY,
        "today": today,
    }


def render_brochure_pdf(scheme) -> bytes:
    from weasyprint import HTML

    html = render_to_string("choice/public/brochure.html", brochure_context(scheme))
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")  # tagged: read in order by a screen reader


def brochure(request, pk):
    municipality = portal_municipality(request)
    if municipality is None:
        raise Http404
    scheme = get_object_or_404(selectors.public_schemes(municipality).select_related("municipality"), pk=pk)
    response = HttpResponse(render_brochure_pdf(scheme), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="brukervalg-{scheme.pk}.pdf"'
    return response
