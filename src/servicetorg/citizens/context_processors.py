from servicetorg.core.portal import portal_municipality

from . import oidc, services


def citizen(request):
    """For every page's header: sign-in on or off, who is signed in, whom she acts for."""
    signed_in = getattr(request, "citizen", None)
    acting_for = None
    if signed_in is not None and signed_in.acting_for:
        municipality = portal_municipality(request)
        if municipality is not None:
            acting_for = services.viewer(signed_in, municipality).relation
    return {
        "citizen_sign_in": oidc.enabled(),
        "signed_in_citizen": signed_in,
        "citizen_acting_for": acting_for,
    }
