"""Staff pages of providers and their applications (the registry, the queue, the decisions), and the
provider's own portal. Thin: forms validate, providers.py changes, provider_selectors.py reads.

A provider's user reaches only her own providers (choice.access): another provider's pages answer
404, as do other municipalities' rows for everyone.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicetorg.core.forms import apply_validation_error, chosen_municipality, render_chooser
from servicetorg.core.models import Municipality, Unit
from servicetorg.core.permissions import Perm, holds_anywhere, municipality_ids
from servicetorg.core.tenancy import get_scoped_or_404
from servicetorg.surveys.models import Survey, SurveyState

from . import access, provider_forms, provider_selectors, providers, workflow
from .models import (
    Application,
    ApplicationDocument,
    ApplicationState,
    Mode,
    Provider,
    ProviderMember,
    Scheme,
    SchemeState,
    SupplementaryService,
)

#: The actions of the table the pages offer (withdrawing an approval moves users: the decisions' page).
OFFERED = (workflow.APPROVE, workflow.REJECT, workflow.SUSPEND, workflow.REINSTATE)


def _require_read_somewhere(user) -> None:
    allowed = municipality_ids(user, Perm.CHOICE_READ)
    if allowed is not None and not allowed:
        raise PermissionDenied


def _provider(request, pk) -> Provider:
    qs = Provider.objects.select_related("municipality", "unit", "survey")
    return get_scoped_or_404(qs, request.user, Perm.CHOICE_READ, pk=pk)


def _application(request, pk) -> Application:
    qs = Application.objects.select_related("scheme", "provider", "scheme__municipality", "submitted_by")
    return get_scoped_or_404(qs, request.user, Perm.CHOICE_READ, field="scheme__municipality", pk=pk)


def _require_administer(request, municipality_id: int) -> None:
    """Refuse before reading the form: a reader learns nothing from validation messages."""
    if not providers.can_administer(request.user, municipality_id):
        raise PermissionDenied


def _surveys(municipality_id: int):
    return (
        Survey.objects.filter(municipality_id=municipality_id)
        .exclude(state=SurveyState.DRAFT)
        .order_by("title")
    )


# --- The registry ---------------------------------------------------------------------------------


@login_required
def provider_list(request):
    _require_read_somewhere(request.user)
    administered = municipality_ids(request.user, Perm.CHOICE_ADMINISTER)
    return render(
        request,
        "choice/providers/list.html",
        {
            "providers": provider_selectors.providers_for(request.user),
            "can_create": administered is None or bool(administered),
        },
    )


@login_required
def provider_create(request):
    administered = municipality_ids(request.user, Perm.CHOICE_ADMINISTER)
    municipalities = (
        Municipality.objects.all()
        if administered is None
        else Municipality.objects.filter(pk__in=administered)
    )
    if not municipalities.exists():
        raise PermissionDenied
    municipality, chooser = chosen_municipality(request, municipalities.order_by("name"))
    if municipality is None:
        return render_chooser(request, chooser, _("Register a provider"))
    form = provider_forms.ProviderCreateForm(
        request.POST or None,
        units=Unit.objects.filter(municipality=municipality).order_by("name"),
        surveys=_surveys(municipality.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            provider = providers.create_provider(
                municipality=municipality, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The provider was registered."))
            return redirect("choice:provider-detail", pk=provider.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "choice/providers/create.html", {"form": form, "municipality": municipality}, status=status
    )


@login_required
def provider_detail(request, pk):
    provider = _provider(request, pk)
    administer = providers.can_administer(request.user, provider.municipality_id)
    return render(
        request,
        "choice/providers/detail.html",
        {
            "provider": provider,
            "applications": provider.applications.select_related("scheme").order_by("-submitted_at"),
            "members": provider.members.select_related("user").order_by("user__username"),
            "supplementary": provider.supplementary_services.all(),
            "can_administer": administer,
            "member_form": provider_forms.MemberForm(municipality_id=provider.municipality_id)
            if administer
            else None,
            "registry_form": (
                provider_forms.RegistryForm(instance=provider, surveys=_surveys(provider.municipality_id))
                if administer
                else None
            ),
        },
    )


@login_required
def provider_edit(request, pk):
    provider = _provider(request, pk)
    _require_administer(request, provider.municipality_id)
    form = provider_forms.RegistryForm(
        request.POST or None,
        instance=Provider.objects.get(pk=provider.pk),
        surveys=_surveys(provider.municipality_id),
    )
    if request.method == "POST" and form.is_valid():
        try:
            providers.update_registry(provider, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The provider was saved."))
            return redirect("choice:provider-detail", pk=provider.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "choice/providers/edit.html", {"provider": provider, "form": form}, status=status)


@login_required
def provider_register_application(request, pk):
    """The administration registers an application for a provider, in any mode (a framework
    agreement's winners, the municipality's own units in a scheme of municipal providers only)."""
    provider = _provider(request, pk)
    _require_administer(request, provider.municipality_id)
    schemes = _schemes_to_apply(provider, any_mode=True)
    form = provider_forms.ApplyForm(request.POST or None, request.FILES or None, schemes=schemes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = providers.apply(
                data["scheme"],
                user=request.user,
                provider=provider,
                competence=data["competence"],
                quality_assurance=data["quality_assurance"],
                documents=data["documents"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The application was registered."))
            return redirect("choice:application-detail", pk=application.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "choice/providers/register_application.html",
        {"provider": provider, "form": form, "has_schemes": schemes.exists()},
        status=status,
    )


@login_required
@require_POST
def member_add(request, pk):
    provider = _provider(request, pk)
    _require_administer(request, provider.municipality_id)
    form = provider_forms.MemberForm(request.POST, municipality_id=provider.municipality_id)
    if form.is_valid():
        try:
            providers.add_member(provider, user=request.user, member=form.cleaned_data["member"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The user now works for the provider."))
            return redirect("choice:provider-detail", pk=provider.pk)
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("choice:provider-detail", pk=provider.pk)


@login_required
@require_POST
def member_remove(request, pk, member_pk):
    provider = _provider(request, pk)
    _require_administer(request, provider.municipality_id)
    link = get_object_or_404(ProviderMember, pk=member_pk, provider=provider)
    providers.remove_member(link, user=request.user)
    messages.success(request, _("The user no longer works for the provider."))
    return redirect("choice:provider-detail", pk=provider.pk)


# --- Applications -------------------------------------------------------------------------------


@login_required
def application_list(request):
    _require_read_somewhere(request.user)
    state = request.GET.get("state", "")
    if state not in ApplicationState.values:
        state = ""
    return render(
        request,
        "choice/providers/applications.html",
        {
            "applications": provider_selectors.applications_for(request.user, state=state),
            "state": state,
            "states": ApplicationState.choices,
            "today": timezone.localdate(),
        },
    )


@login_required
def application_detail(request, pk):
    application = _application(request, pk)
    administer = providers.can_administer(request.user, application.scheme.municipality_id)
    actions = [a for a in workflow.APPLICATION_WORKFLOW.actions_from(application.state) if a in OFFERED]
    return render(
        request,
        "choice/providers/application.html",
        {
            "application": application,
            "documents": application.documents.all(),
            "can_administer": administer,
            "decisions": [
                (a, workflow.APPLICATION_WORKFLOW.actions[a], provider_forms.ReasonForm(action=a, prefix=a))
                for a in (actions if administer else [])
            ],
            "can_withdraw": administer
            and workflow.WITHDRAW in workflow.APPLICATION_WORKFLOW.actions_from(application.state),
            "today": timezone.localdate(),
            "history": application.history.select_related("history_user").order_by("history_date"),
        },
    )


@login_required
@require_POST
def application_decide(request, pk):
    application = _application(request, pk)
    _require_administer(request, application.scheme.municipality_id)
    action = request.POST.get("action", "")
    if action not in OFFERED:
        return render(
            request,
            "choice/providers/decide_error.html",
            {"application": application, "message": _("Choose what to do with the application.")},
            status=400,
        )
    form = provider_forms.ReasonForm(request.POST, action=action, prefix=action)
    if form.is_valid():
        try:
            providers.ACTIONS[action](application, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Recorded. The provider is told by e-mail."))
            return redirect("choice:application-detail", pk=application.pk)
    return render(
        request,
        "choice/providers/decide_error.html",
        {"application": application, "form": form, "action": action},
        status=400,
    )


def document_response(document: ApplicationDocument) -> FileResponse:
    """The file as a download, never rendered by the browser, never cached (as inquiries' files)."""
    if not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.name,
        content_type=document.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def document_download(request, pk, document_pk):
    application = _application(request, pk)
    if not providers.can_administer(request.user, application.scheme.municipality_id):
        raise PermissionDenied
    document = get_object_or_404(ApplicationDocument, pk=document_pk, application=application)
    return document_response(document)


# --- The provider's own portal ------------------------------------------------------------------


def _require_provider_user(user) -> None:
    if not holds_anywhere(user, [Perm.CHOICE_PROVIDE]):
        raise PermissionDenied


def _own(request, pk) -> Provider:
    """One of the user's own providers, else 404 (another provider does not exist for her)."""
    _require_provider_user(request.user)
    provider = Provider.objects.select_related("municipality").filter(pk=pk).first()
    if provider is None or not access.may_provide(request.user, provider):
        raise Http404
    return provider


@login_required
def portal_home(request):
    _require_provider_user(request.user)
    own = list(provider_selectors.own_providers(request.user))
    if len(own) == 1:
        return redirect("choice:portal-provider", pk=own[0].pk)
    return render(request, "choice/providers/portal_home.html", {"providers": own})


def _schemes_to_apply(provider: Provider, *, any_mode: bool = False):
    """Adopted schemes of the provider's municipality, not ended, where it has no open application
    (in the approval mode only, unless the administration registers it)."""
    taken = Application.objects.filter(provider=provider, state__in=providers.OPEN_STATES).values("scheme_id")
    today = timezone.localdate()
    qs = (
        Scheme.objects.filter(municipality_id=provider.municipality_id, state=SchemeState.ADOPTED)
        .exclude(valid_until__lt=today)
        .exclude(pk__in=taken)
        .select_related("service")
        .order_by("name")
    )
    return qs if any_mode else qs.filter(mode=Mode.APPROVAL)


@login_required
def portal_provider(request, pk):
    provider = _own(request, pk)
    return render(
        request,
        "choice/providers/portal_provider.html",
        {
            "provider": provider,
            "capacity": provider_selectors.capacity_of(
                provider_selectors.with_capacity(Provider.objects.filter(pk=provider.pk)).get()
            ),
            "applications": provider.applications.select_related("scheme").order_by("-submitted_at"),
            "supplementary": provider.supplementary_services.all(),
            "allows_supplementary": providers.allows_supplementary(provider),
            "can_apply": _schemes_to_apply(provider).exists(),
        },
    )


@login_required
def portal_profile(request, pk):
    provider = _own(request, pk)
    form = provider_forms.ProfileForm(request.POST or None, instance=Provider.objects.get(pk=provider.pk))
    if request.method == "POST" and form.is_valid():
        try:
            providers.update_profile(provider, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The profile was saved."))
            return redirect("choice:portal-provider", pk=provider.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "choice/providers/portal_profile.html", {"provider": provider, "form": form}, status=status
    )


@login_required
def portal_apply(request, pk):
    provider = _own(request, pk)
    schemes = _schemes_to_apply(provider)
    form = provider_forms.ApplyForm(request.POST or None, request.FILES or None, schemes=schemes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = providers.apply(
                data["scheme"],
                user=request.user,
                provider=provider,
                competence=data["competence"],
                quality_assurance=data["quality_assurance"],
                documents=data["documents"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                _("The application was sent. The municipality decides on it by %(date)s.")
                % {"date": application.decide_by.strftime("%d.%m.%Y")},
            )
            return redirect("choice:portal-provider", pk=provider.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "choice/providers/portal_apply.html",
        {"provider": provider, "form": form, "has_schemes": schemes.exists()},
        status=status,
    )


@login_required
def supplementary_create(request, pk):
    provider = _own(request, pk)
    return _supplementary_form(request, provider, None)


@login_required
def supplementary_edit(request, pk, item_pk):
    provider = _own(request, pk)
    item = get_object_or_404(SupplementaryService, pk=item_pk, provider=provider)
    return _supplementary_form(request, provider, item)


def _supplementary_form(request, provider, item):
    form = provider_forms.SupplementaryForm(
        request.POST or None, instance=SupplementaryService.objects.get(pk=item.pk) if item else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            if item is None:
                providers.add_supplementary(provider, user=request.user, **form.cleaned_data)
            else:
                providers.update_supplementary(item, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("The supplementary service was saved."))
            return redirect("choice:portal-provider", pk=provider.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "choice/providers/portal_supplementary.html",
        {"provider": provider, "form": form, "item": item},
        status=status,
    )


@login_required
@require_POST
def supplementary_delete(request, pk, item_pk):
    provider = _own(request, pk)
    item = get_object_or_404(SupplementaryService, pk=item_pk, provider=provider)
    providers.delete_supplementary(item, user=request.user)
    messages.success(request, _("The supplementary service was removed."))
    return redirect("choice:portal-provider", pk=provider.pk)
