"""Citizen pages of a scheme's providers: the comparison, a provider's profile, and the form on
which a provider applies to be approved (no log-in: the applicant acts as CITIZEN)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from servicetorg.core.forms import apply_validation_error
from servicetorg.core.once import submit_once
from servicetorg.core.permissions import CITIZEN
from servicetorg.core.portal import portal_municipality
from servicetorg.core.security import throttle_post

from . import provider_forms, provider_selectors, providers, selectors
from .models import Scheme

RECEIPT_KEY = "choice_application_receipt"


def _scheme(request, pk) -> Scheme:
    municipality = portal_municipality(request)
    if municipality is None:
        raise Http404
    return get_object_or_404(selectors.public_schemes(municipality), pk=pk)


@throttle_post("contact")
def apply(request, pk):
    scheme = _scheme(request, pk)
    if not providers.open_for_applications(scheme, user=CITIZEN):
        return render(request, "choice/public/apply_closed.html", {"scheme": scheme})
    form = provider_forms.PublicApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def send() -> dict:
            application = providers.apply(
                scheme,
                user=CITIZEN,
                organization_number=data["organization_number"],
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                competence=data["competence"],
                quality_assurance=data["quality_assurance"],
                documents=data["documents"],
                profile=form.profile_values(),
            )
            return {
                "reference": application.pk,
                "provider": application.provider.name,
                "decide_by": application.decide_by.isoformat(),
                "documents": len(data["documents"]),
            }

        try:
            result, _first = submit_once(request, "choice.apply", send)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            request.session[RECEIPT_KEY] = {**result, "scheme": scheme.pk}
            return redirect("choice_public:apply-receipt", pk=scheme.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "choice/public/apply.html", {"scheme": scheme, "form": form}, status=status)


def apply_receipt(request, pk):
    scheme = _scheme(request, pk)
    receipt = request.session.get(RECEIPT_KEY)
    if not receipt or receipt.get("scheme") != scheme.pk:
        raise Http404
    receipt = {**receipt, "decide_by": date.fromisoformat(receipt["decide_by"])}
    return render(request, "choice/public/apply_receipt.html", {"scheme": scheme, "receipt": receipt})


def comparison(request, pk):
    scheme = _scheme(request, pk)
    district = (request.GET.get("bydel") or "").strip()[:100]
    result = provider_selectors.comparison(scheme, district=district)
    if district and district.casefold() not in {d.casefold() for d in result.districts}:
        district = ""
        result = provider_selectors.comparison(scheme)
    return render(
        request,
        "choice/public/providers.html",
        {
            "scheme": scheme,
            "rows": result.rows,
            "districts": result.districts,
            "district": district,
            "weeks": provider_selectors.CONTINUITY_WEEKS,
            "days": provider_selectors.CONTINUITY_PERIOD_DAYS,
            "open_for_applications": providers.open_for_applications(scheme, user=CITIZEN),
        },
    )


def provider_profile(request, pk, provider_pk):
    scheme = _scheme(request, pk)
    provider = get_object_or_404(provider_selectors.public_providers(scheme), pk=provider_pk)
    row = next(
        (r for r in provider_selectors.comparison(scheme).rows if r.provider.pk == provider.pk),
        None,
    )
    if row is None:
        raise Http404
    return render(
        request,
        "choice/public/provider.html",
        {
            "scheme": scheme,
            "row": row,
            "provider": row.provider,
            "supplementary": provider.supplementary_services.all() if scheme.supplementary_services else [],
            "weeks": provider_selectors.CONTINUITY_WEEKS,
            "days": provider_selectors.CONTINUITY_PERIOD_DAYS,
            "title": _("Provider"),
        },
    )
