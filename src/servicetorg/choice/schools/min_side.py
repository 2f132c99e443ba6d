"""School choice on the citizen's Min side: a guardian applies for her child in an open round, sees
and changes or withdraws the application while the round is open, and after the placements are
published sees the child's seat with an explanation per wish above it and the transport note,
accepts or declines the seat, and appeals (klage).

Whose children: the valid guardian relations the municipality has recorded for her
(``applications.guardian_relations``; while she acts for one person, only that child). Any other
application, placement or appeal id is a 404. The child's fødselsnummer is never shown in full.
Pages are at :data:`applications.LEVEL` (substantial); a placement whose application carries a
special-needs decision (sensitive) is shown only at the high level.

The panel (:data:`PANEL`) is registered by the choice app's ``ready()``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from servicetorg.citizens import assurance, panels
from servicetorg.citizens.decorators import citizen_required, login_url
from servicetorg.core.once import submit_once
from servicetorg.core.permissions import CITIZEN
from servicetorg.core.validators import mask_national_id, small_int

from . import answers, appeals, applications, explain
from .models import (
    Appeal,
    AppealState,
    ApplicationSource,
    Placement,
    PlacementState,
    Round,
    RoundState,
    SchoolAddress,
    SchoolApplication,
    SchoolApplicationState,
)
from .workflow import ACCEPT, APPEAL_WORKFLOW, DECLINE, PLACEMENT_WORKFLOW, WITHDRAW

LEVEL = applications.LEVEL
#: A placement whose application carries a special-needs decision is shown at this level only.
SPECIAL_LEVEL = assurance.HIGH
RESULTS = [RoundState.PUBLISHED, RoundState.FINISHED]
ADDRESS_RESULTS = 20


# --- Whose pages --------------------------------------------------------------------------------------


def _application(viewer, pk) -> SchoolApplication:
    """One of her children's applications in this municipality, else 404."""
    try:
        return SchoolApplication.objects.select_related(
            "round", "address", "catchment_school", "special_needs_school"
        ).get(
            pk=pk,
            round__municipality=viewer.municipality,
            national_id_digest__in=applications.children_digests(viewer),
        )
    except (SchoolApplication.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def current_placement(application: SchoolApplication) -> Placement | None:
    """The seat families see: in the current run, once the round is published."""
    if application.round.state not in RESULTS:
        return None
    return (
        Placement.objects.filter(application=application, run__current=True)
        .select_related("school", "run")
        .first()
    )


def _relation_for(viewer, application):
    return (
        applications.guardian_relations(viewer).filter(subject_digest=application.national_id_digest).first()
    )


# --- The panel -----------------------------------------------------------------------------------------


def _panel(request, viewer) -> str:
    children = list(applications.guardian_relations(viewer))
    if not children:
        return ""
    open_rounds = list(Round.objects.filter(municipality=viewer.municipality, state=RoundState.OPEN))
    rows = []
    for application in applications.citizen_applications(viewer).order_by("-round__school_year", "pk"):
        rows.append(
            {
                "application": application,
                "wishes": list(application.wishes.select_related("school").order_by("rank")),
                "placement": current_placement(application),
            }
        )
    if not rows and not open_rounds:
        return ""
    return render_to_string(
        "choice/schools/public/_min_side.html",
        {"rows": rows, "open_rounds": open_rounds, "viewer": viewer},
        request=request,
    )


PANEL = panels.Panel(
    name="schools",
    title=gettext_lazy("School choice"),
    title_for_other=gettext_lazy("School choice for %(name)s"),
    render=_panel,
    empty=gettext_lazy("You have no school applications."),
    position=35,
)


# --- Apply, change, withdraw ---------------------------------------------------------------------------


class ApplyForm(forms.Form):
    child = forms.TypedChoiceField(label=gettext_lazy("Child"), coerce=int, widget=forms.RadioSelect)
    address_query = forms.CharField(
        label=gettext_lazy("Search for your address"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Street name and number, e.g. «Storgata 5». Then choose it in the list."),
    )
    address = forms.TypedChoiceField(
        label=gettext_lazy("Address"), coerce=int, required=False, widget=forms.RadioSelect
    )
    contact_email = forms.CharField(label=gettext_lazy("Your e-mail"), required=False, max_length=254)
    contact_phone = forms.CharField(label=gettext_lazy("Your mobile"), required=False, max_length=30)

    def __init__(self, *args, round_: Round, children, addresses, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round_
        self.fields["child"].choices = [(r.pk, r.subject_name) for r in children]
        self.fields["address"].choices = [(a.pk, str(a)) for a in addresses]
        self.fields["contact_email"].widget.attrs.update({"autocomplete": "email", "type": "email"})
        self.fields["contact_phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        choices = [("", _("— No school —"))] + [(s.pk, s.name) for s in schools]
        self.ranks = list(range(1, round_.wishes + 1))
        for rank in self.ranks:
            self.fields[f"wish_{rank}"] = forms.TypedChoiceField(
                label=_("Wish %(rank)s") % {"rank": rank},
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"sibling_{rank}"] = forms.BooleanField(
                label=_("A sibling attends this school"), required=False
            )

    def wish_rows(self):
        return [(rank, self[f"wish_{rank}"], self[f"sibling_{rank}"]) for rank in self.ranks]

    def wishes(self) -> tuple[list[int], list[int]]:
        chosen, siblings = [], []
        for rank in self.ranks:
            school = self.cleaned_data.get(f"wish_{rank}")
            if school:
                chosen.append(school)
                if self.cleaned_data.get(f"sibling_{rank}"):
                    siblings.append(school)
        return chosen, siblings


#: The service's field names → the form's.
_FIELD = {
    "child_national_id": "child",
    "name": "child",
    "address": "address",
    "wishes": "wish_1",
    "contact_email": "contact_email",
    "contact_phone": "contact_phone",
}


def search_addresses(municipality, query: str):
    """Addresses of the register matching every word of ``query`` (street, number or postcode)."""
    words = [w for w in (query or "").replace(",", " ").split() if w][:6]
    if not words or len("".join(words)) < 2:
        return None
    qs = SchoolAddress.objects.filter(municipality=municipality).select_related(
        "primary_school", "secondary_school"
    )
    for word in words:
        qs = qs.filter(Q(address__icontains=word[:100]) | Q(postcode__startswith=word[:4]))
    return list(qs.order_by("address", "postcode")[: ADDRESS_RESULTS + 1])


def _round_schools(round_: Round):
    return [rs.school for rs in round_.schools.select_related("school").order_by("school__name")]


def _apply_page(request, round_: Round, application: SchoolApplication | None = None):
    viewer = request.viewer
    children = list(applications.guardian_relations(viewer))
    if application is not None:
        children = [r for r in children if r.subject_digest == application.national_id_digest][:1]
    applied = set(
        SchoolApplication.objects.filter(
            round=round_, national_id_digest__in=[r.subject_digest for r in children]
        ).values_list("national_id_digest", flat=True)
    )
    context = {
        "round": round_,
        "application": application,
        "viewer": viewer,
        "children": children,
        "applied": {r.pk for r in children if r.subject_digest in applied},
    }
    if round_.state != RoundState.OPEN or not children:
        return render(request, "choice/schools/public/apply.html", context)
    schools = _round_schools(round_)
    found = None
    chosen_pk = None
    initial: dict = {}
    if request.method == "POST":
        query = request.POST.get("address_query", "")[:100]
        if "find" in request.POST:
            found = search_addresses(viewer.municipality, query)
        raw = request.POST.get("address", "")
        chosen_pk = small_int(raw)
    elif application is not None:
        chosen_pk = application.address_id
        initial = {
            "child": children[0].pk,
            "address": application.address_id,
            "contact_email": application.contact_email,
            "contact_phone": application.contact_phone,
        }
        for wish in application.wishes.order_by("rank"):
            initial[f"wish_{wish.rank}"] = wish.school_id
            initial[f"sibling_{wish.rank}"] = wish.sibling
    elif len(children) == 1:
        initial = {"child": children[0].pk}
    addresses = list(found or [])[:ADDRESS_RESULTS]
    if chosen_pk and all(a.pk != chosen_pk for a in addresses):
        chosen = (
            SchoolAddress.objects.filter(municipality=viewer.municipality, pk=chosen_pk)
            .select_related("primary_school", "secondary_school")
            .first()
        )
        if chosen is not None:
            addresses.insert(0, chosen)
    kwargs = {"round_": round_, "children": children, "addresses": addresses, "schools": schools}
    if request.method == "POST" and "find" in request.POST:
        form = ApplyForm(initial=request.POST.dict(), **kwargs)  # a search: no errors yet
        for rank in range(1, round_.wishes + 1):
            form.initial[f"sibling_{rank}"] = bool(request.POST.get(f"sibling_{rank}"))
    elif request.method == "POST":
        form = ApplyForm(request.POST, **kwargs)
        if form.is_valid():
            done = _submit(request, form, round_, children)
            if done is not None:
                return done
    else:
        form = ApplyForm(initial=initial, **kwargs)
    context.update(
        {
            "form": form,
            "addresses": [(a, a.catchment(round_.grade)) for a in addresses],
            "searched": found is not None,
            "too_many": found is not None and len(found) > ADDRESS_RESULTS,
            "query_too_short": "find" in request.POST and found is None,
        }
    )
    return render(request, "choice/schools/public/apply.html", context)


def _submit(request, form: ApplyForm, round_: Round, children):
    viewer = request.viewer
    relation = next((r for r in children if r.pk == form.cleaned_data["child"]), None)
    if relation is None:
        form.add_error("child", _("Choose the child."))
        return None
    wishes, siblings = form.wishes()

    def work():
        application = applications.submit_application(
            round_,
            user=CITIZEN,
            viewer=viewer,
            child_national_id=relation.subject_national_id,
            name=relation.subject_name,
            address=form.cleaned_data.get("address"),
            wishes=wishes,
            siblings=siblings,
            contact_email=form.cleaned_data.get("contact_email", ""),
            contact_phone=form.cleaned_data.get("contact_phone", ""),
            source=ApplicationSource.PORTAL,
        )
        return {"application": application.pk}

    try:
        result, _first = submit_once(request, "schools.apply", work)
    except PermissionDenied:
        form.add_error("child", _("You can apply only for a child you are registered as guardian of."))
        return None
    except ValidationError as error:
        for key, errors in error.message_dict.items():
            field = _FIELD.get(key)
            for message in errors:
                form.add_error(field, message)
        return None
    return redirect("schools_public:receipt", pk=result["application"])


@citizen_required(LEVEL)
def apply(request, round_pk):
    try:
        round_ = Round.objects.exclude(state=RoundState.DRAFT).get(
            pk=round_pk, municipality=request.viewer.municipality
        )
    except Round.DoesNotExist as exc:
        raise Http404 from exc
    return _apply_page(request, round_)


@citizen_required(LEVEL)
def change(request, pk):
    application = _application(request.viewer, pk)
    if application.state != SchoolApplicationState.SUBMITTED:
        return redirect("schools_public:application", pk=application.pk)
    return _apply_page(request, application.round, application)


def _application_context(viewer, application, **extra) -> dict:
    round_ = application.round
    return {
        "application": application,
        "round": round_,
        "masked_id": mask_national_id(application.national_id),
        "wishes": list(application.wishes.select_related("school").order_by("rank")),
        "placement": current_placement(application),
        "can_change": round_.state == RoundState.OPEN
        and application.state == SchoolApplicationState.SUBMITTED,
        "viewer": viewer,
        **extra,
    }


@citizen_required(LEVEL)
def application(request, pk):
    app = _application(request.viewer, pk)
    return render(
        request, "choice/schools/public/application.html", _application_context(request.viewer, app)
    )


@citizen_required(LEVEL)
def receipt(request, pk):
    app = _application(request.viewer, pk)
    return render(
        request,
        "choice/schools/public/application.html",
        _application_context(request.viewer, app, receipt=True),
    )


@citizen_required(LEVEL)
def withdraw(request, pk):
    viewer = request.viewer
    app = _application(viewer, pk)
    if request.method == "POST":
        try:
            applications.withdraw_application(app, user=CITIZEN, viewer=viewer)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("schools_public:application", pk=app.pk)
        messages.success(request, _("The application is withdrawn."))
        return redirect("schools_public:application", pk=app.pk)
    return render(request, "choice/schools/public/withdraw.html", _application_context(viewer, app))


# --- The placement: explanation, answer, appeal --------------------------------------------------------


def _placement(request, pk) -> Placement:
    """Her child's placement in a published round, else 404."""
    viewer = request.viewer
    try:
        return Placement.objects.select_related(
            "school", "run", "application__round", "application__catchment_school", "application__address"
        ).get(
            pk=pk,
            application__round__municipality=viewer.municipality,
            application__round__state__in=RESULTS,
            application__national_id_digest__in=applications.children_digests(viewer),
        )
    except (Placement.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def _level_for(request, application):
    """A step-up redirect when the application carries a special-needs decision, else None."""
    if application.special_needs_school_id and not assurance.satisfies(
        request.viewer.signed_in.level, SPECIAL_LEVEL
    ):
        return redirect(login_url(request.get_full_path(), SPECIAL_LEVEL))
    return None


@citizen_required(LEVEL)
def placement(request, pk):
    seat = _placement(request, pk)
    if not seat.run.current:  # an older run's placement: the family sees the newest
        newest = current_placement(seat.application)
        if newest is None:
            raise Http404
        return redirect("schools_public:placement", pk=newest.pk)
    step_up = _level_for(request, seat.application)
    if step_up is not None:
        return step_up
    return render(request, "choice/schools/public/placement.html", _placement_context(request, seat))


def _placement_context(request, seat: Placement, **extra) -> dict:
    application = seat.application
    round_ = application.round
    published = round_.state == RoundState.PUBLISHED
    items = explain.explain(application, seat.run, placement=seat)
    appeal_list = list(Appeal.objects.filter(application=application).order_by("-received_at", "-pk"))
    return {
        "placement": seat,
        "application": application,
        "round": round_,
        "explanations": [{"item": item, "text": item.text()} for item in items],
        "transport": explain.transport(seat, round_),
        "answer_by": answers.answer_by(round_),
        "can_accept": published and PLACEMENT_WORKFLOW.allows(seat.state, ACCEPT),
        "can_decline": published and PLACEMENT_WORKFLOW.allows(seat.state, DECLINE),
        "appeals": appeal_list,
        "can_appeal": published
        and application.state == SchoolApplicationState.SUBMITTED
        and not any(a.state == AppealState.RECEIVED for a in appeal_list),
        "withdrawable": {a.pk for a in appeal_list if APPEAL_WORKFLOW.allows(a.state, WITHDRAW)},
        "viewer": request.viewer,
        "states": PlacementState,
        **extra,
    }


@require_POST
@citizen_required(LEVEL)
def answer(request, pk):
    seat = _placement(request, pk)
    step_up = _level_for(request, seat.application)
    if step_up is not None:
        return step_up
    action = request.POST.get("action", "")
    if action not in ("accept", "decline"):
        return redirect("schools_public:placement", pk=seat.pk)
    if action == "decline" and request.POST.get("confirm") != "yes":
        return render(request, "choice/schools/public/decline.html", _placement_context(request, seat))
    try:
        answers.answer(seat, accept=action == "accept", user=CITIZEN, viewer=request.viewer)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("schools_public:placement", pk=seat.pk)
    if action == "accept":
        messages.success(request, _("You accepted the seat."))
    else:
        messages.success(request, _("You declined the seat. It goes to the waiting list."))
    return redirect("schools_public:placement", pk=seat.pk)


class AppealForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your appeal"),
        max_length=appeals.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "Say what you appeal against and why: for example a sibling or a special need the allocation "
            "did not know about, or a wrong address."
        ),
    )


@citizen_required(LEVEL)
def appeal(request, pk):
    seat = _placement(request, pk)
    if not seat.run.current:
        raise Http404
    step_up = _level_for(request, seat.application)
    if step_up is not None:
        return step_up
    viewer = request.viewer
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result, _first = submit_once(
                request,
                "schools.appeal",
                lambda: {
                    "appeal": appeals.register_appeal(
                        seat.application, text=form.cleaned_data["text"], user=CITIZEN, viewer=viewer
                    ).pk
                },
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as error:
            by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            for key, errors in by_field.items():
                for message in errors:
                    form.add_error("text" if key == "text" else None, message)
        else:
            return redirect("schools_public:appeal-receipt", pk=result["appeal"])
    return render(
        request,
        "choice/schools/public/appeal.html",
        {"form": form, "placement": seat, "application": seat.application, "viewer": viewer},
    )


def _appeal(request, pk) -> Appeal:
    viewer = request.viewer
    try:
        return Appeal.objects.select_related("application__round").get(
            pk=pk,
            application__round__municipality=viewer.municipality,
            application__national_id_digest__in=applications.children_digests(viewer),
        )
    except (Appeal.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


@citizen_required(LEVEL)
def appeal_receipt(request, pk):
    item = _appeal(request, pk)
    step_up = _level_for(request, item.application)
    if step_up is not None:
        return step_up
    return render(
        request,
        "choice/schools/public/appeal_receipt.html",
        {
            "appeal": item,
            "application": item.application,
            "placement": current_placement(item.application),
            "viewer": request.viewer,
        },
    )


@require_POST
@citizen_required(LEVEL)
def withdraw_appeal(request, pk):
    item = _appeal(request, pk)
    try:
        appeals.withdraw_appeal(item, user=CITIZEN, viewer=request.viewer)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The appeal is withdrawn."))
    seat = current_placement(item.application)
    if seat is not None:
        return redirect("schools_public:placement", pk=seat.pk)
    return redirect(reverse("citizens:home"))
