"""Citizen pages: the user-choice schemes in force in the portal's municipality."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from servicetorg.core.portal import portal_municipality

from . import notice, selectors
from .models import DefaultRule, Mode, PriceModel


def _municipality(request):
    municipality = portal_municipality(request)
    if municipality is None:
        raise Http404
    return municipality


def scheme_list(request):
    schemes = selectors.public_schemes(_municipality(request))
    return render(request, "choice/public/list.html", {"schemes": schemes})


def default_text(scheme) -> str:
    return {
        DefaultRule.MUNICIPAL: _("If you do not choose, the municipality's own service provides it."),
        DefaultRule.ROTATION: _(
            "If you do not choose, you are given a provider from a rotation list, in turn."
        ),
        DefaultRule.NEAREST: _("If you do not choose, you are given the provider nearest to where you live."),
    }[DefaultRule(scheme.default_rule)]


def mode_text(scheme) -> str:
    if scheme.mode == Mode.FRAMEWORK:
        return ngettext(
            "The providers were chosen after a competition: a framework agreement with %(count)s "
            "provider, until %(date)s.",
            "The providers were chosen after a competition: a framework agreement with %(count)s "
            "providers, until %(date)s.",
            scheme.provider_count or 0,
        ) % {"count": scheme.provider_count, "date": _date(scheme.agreement_ends_on)}
    if scheme.mode == Mode.MUNICIPAL:
        return _("You choose between the municipality's own units.")
    return _(
        "Every provider that meets the municipality's requirements can be approved, and providers may "
        "apply at any time."
    )


def _date(value) -> str:
    return date_format(value, "DATE_FORMAT") if value else ""


def scheme_detail(request, pk):
    scheme = get_object_or_404(selectors.public_schemes(_municipality(request)), pk=pk)
    return render(
        request,
        "choice/public/detail.html",
        {
            "scheme": scheme,
            "rates": scheme.rates.all(),
            "notice_text": notice.describe(scheme),
            "default_text": default_text(scheme),
            "mode_text": mode_text(scheme),
            "hourly": scheme.price_model == PriceModel.HOURLY,
        },
    )
