"""Forms of the inquiries module (staff desk, actions, citizen contact). Messages in English msgids."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from servicetorg.catalogue.models import Service
from servicetorg.core.choices import Channel
from servicetorg.core.models import Municipality, Unit
from servicetorg.core.validators import validate_national_id

from . import selectors
from .attachments import AttachmentsField, AttachmentsFormMixin
from .models import CompensationState, Handling
from .services import clean_location

OUTCOME_CHOICES = [
    ("open", _("Register only (handle later)")),
    ("resolve", _("Resolved at the desk")),
    (Handling.PARTLY_HANDLED, _("Partly handled – route to a unit")),
    (Handling.FORWARDED, _("Forwarded unhandled – route to a unit")),
]


class RegisterForm(forms.Form):
    """The desk's quick registration: keyboard-only, in the order a phone call goes."""

    municipality = forms.ModelChoiceField(queryset=Municipality.objects.none(), label=_("Municipality"))
    channel = forms.ChoiceField(choices=Channel.choices, label=_("Channel"))
    service = forms.CharField(
        label=_("Service"),
        required=False,
        max_length=200,
        help_text=_("Start typing and pick from the list. Leave empty if the service is unknown."),
        widget=forms.TextInput(attrs={"list": "service-options", "autocomplete": "off"}),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("What the citizen asks about"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    address = forms.CharField(
        label=_("Address or place"),
        required=False,
        help_text=_("Where it is, for roads, street lights, water, snow and the like."),
    )
    contact_name = forms.CharField(label=_("Citizen's name"), required=False, max_length=200)
    contact_email = forms.EmailField(label=_("Citizen's e-mail"), required=False)
    contact_phone = forms.CharField(label=_("Citizen's phone"), required=False, max_length=30)
    national_id = forms.CharField(
        label=_("National identity number"),
        required=False,
        max_length=13,
        help_text=_("Only for services that require it (11 digits)."),
    )
    receipt = forms.ChoiceField(
        choices=[("", _("No receipt")), ("email", _("By e-mail")), ("sms", _("By SMS"))],
        label=_("Send the citizen a receipt"),
        required=False,
        help_text=_("The reference, the reply date and the case link, to the e-mail address or phone above."),
    )
    outcome = forms.ChoiceField(choices=OUTCOME_CHOICES, label=_("Outcome"), initial="open")
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, label=_("Route to unit"))
    note = forms.CharField(
        label=_("Answer or note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [m.pk for m in municipalities]
        self.fields["municipality"].queryset = Municipality.objects.filter(pk__in=ids).order_by("name")
        self.fields["unit"].queryset = Unit.objects.filter(municipality_id__in=ids).order_by("name")
        if len(municipalities) == 1:
            self.fields["municipality"].initial = municipalities[0].pk
            self.fields["municipality"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        municipality = data.get("municipality")
        name = (data.get("service") or "").strip()
        data["service_obj"] = None
        if municipality and name:
            service = (
                Service.objects.filter(municipality=municipality, state="published")
                .filter(name__iexact=name)
                .first()
                or Service.objects.filter(municipality=municipality, state="published", slug=name).first()
            )
            if service is None:
                self.add_error(
                    "service",
                    _("No published service has this name. Pick one from the list, or leave it empty."),
                )
            data["service_obj"] = service
        receipt = data.get("receipt")
        if receipt == "email" and not data.get("contact_email"):
            self.add_error("contact_email", _("Give the e-mail address to send the receipt to."))
        if receipt == "sms" and not data.get("contact_phone"):
            self.add_error("contact_phone", _("Give the phone number to send the receipt to."))
        outcome = data.get("outcome")
        unit = data.get("unit")
        if outcome in (Handling.PARTLY_HANDLED, Handling.FORWARDED) and unit is None:
            self.add_error("unit", _("Choose the unit to route the inquiry to."))
        if unit is not None and municipality and unit.municipality_id != municipality.pk:
            self.add_error("unit", _("The unit belongs to another municipality."))
        return data


class RouteForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Unit"))
    handling = forms.ChoiceField(
        choices=[
            (Handling.PARTLY_HANDLED, Handling.PARTLY_HANDLED.label),
            (Handling.FORWARDED, Handling.FORWARDED.label),
        ],
        label=_("Handling at the desk"),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, municipality_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(municipality_id=municipality_id).order_by("name")


class TextForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)


class ReplyForm(AttachmentsFormMixin, TextForm):
    """The reply to the citizen, with files for her (she downloads them with her case link)."""

    attachments = AttachmentsField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_attachments()


class PreliminaryReplyForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the reply takes longer"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    expected_date = forms.DateField(
        label=_("Expected reply date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ContactPersonForm(forms.Form):
    contact_person = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), label=_("New contact person")
    )

    def __init__(self, *args, municipality_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_person"].queryset = (
            get_user_model()
            .objects.filter(memberships__municipality_id=municipality_id)
            .distinct()
            .order_by("username")
        )
        self.fields["contact_person"].label_from_instance = lambda u: u.get_full_name() or u.get_username()


class ChannelRuleForm(forms.Form):
    """One number per channel: working days to reply when the service declares no promise."""

    def __init__(self, *args, current: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Channel.choices:
            self.fields[value] = forms.IntegerField(
                label=label, min_value=1, max_value=60, initial=current.get(value)
            )


class CompensationForm(forms.Form):
    state = forms.ChoiceField(
        choices=[
            (CompensationState.PAID, CompensationState.PAID.label),
            (CompensationState.REJECTED, CompensationState.REJECTED.label),
        ],
        label=_("Decision"),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class DashboardForm(forms.Form):
    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.none(), label=_("Municipality"), required=False
    )
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(
        choices=[("", _("All channels")), *Channel.choices], label=_("Channel"), required=False
    )

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities

    def clean(self):
        data = super().clean()
        if data.get("start") or data.get("end"):
            default_start, default_end = selectors.default_period()
            try:
                selectors.check_period(data.get("start") or default_start, data.get("end") or default_end)
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field, messages)
        return data


# --- Citizen forms -------------------------------------------------------------------------------


class ContactForm(AttachmentsFormMixin, forms.Form):
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        required=False,
        label=_("What is it about?"),
        empty_label=_("I don't know / something else"),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Your message"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000
    )
    contact_name = forms.CharField(
        label=_("Your name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    contact_email = forms.EmailField(
        label=_("Your e-mail"),
        required=False,
        help_text=_(
            "We send the reply here. Without an e-mail address, follow the case with the link on the receipt."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=_("Your phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    national_id = forms.CharField(
        label=_("National identity number (11 digits)"),
        required=False,
        max_length=13,
        help_text=_("This service needs it to handle your case."),
    )
    attachments = AttachmentsField()

    # "Where is it?", for services that ask for a location: a typed address works without
    # JavaScript; the map (location-map.js) fills in the coordinates, which can also be typed.
    address = forms.CharField(
        label=_("Address or place"),
        required=False,
        help_text=_("For example a street address, or a description such as “the bus stop by the school”."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    latitude = forms.CharField(
        label=_("Latitude"),
        required=False,
        help_text=_("Decimal degrees, e.g. 59.9139."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    longitude = forms.CharField(
        label=_("Longitude"),
        required=False,
        help_text=_("Decimal degrees, e.g. 10.7522."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    LOCATION_FIELDS = ("address", "latitude", "longitude")
    #: Where it is comes right after what it is.
    field_order = ["service", "subject", "body", *LOCATION_FIELDS]

    def __init__(self, *args, municipality, service=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_attachments()
        from servicetorg.catalogue.selectors import published_services

        self.fixed_service = service
        if service is not None:
            del self.fields["service"]
            if not service.requires_national_id:
                del self.fields["national_id"]
        else:
            self.fields["service"].queryset = published_services(municipality).order_by("name")
            del self.fields["national_id"]
        self.asks_location = service is not None and service.asks_location
        if not self.asks_location:
            for name in self.LOCATION_FIELDS:
                del self.fields[name]

    def clean(self):
        """The place, checked by the rules the service applies (services.clean_location): a message
        on each field that is wrong, what was typed kept."""
        data = super().clean()
        if self.asks_location:
            try:
                data["latitude"], data["longitude"], data["address"] = clean_location(
                    data.get("latitude"), data.get("longitude"), data.get("address", "")
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    self.add_error(field, messages)
        return data

    def clean_national_id(self):
        """Checked here so that a wrong number is a message on the field, with the rest kept."""
        value = "".join(self.cleaned_data.get("national_id", "").split())
        if value:
            validate_national_id(value)
        return value


class CitizenReplyForm(AttachmentsFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
    attachments = AttachmentsField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._init_attachments()


class LookupForm(forms.Form):
    reference = forms.RegexField(
        label=_("Reference"),
        max_length=12,
        regex=r"^\s*[A-Za-z0-9-]+\s*$",
        error_messages={"invalid": _("The reference looks like ABCD-EFGH.")},
    )
    token = forms.RegexField(
        label=_("Code from the link"),
        max_length=64,
        regex=r"^\s*[A-Za-z0-9_-]+\s*$",  # secrets.token_urlsafe: letters, digits, - and _
        help_text=_("The last part of the case link, after the reference."),
        error_messages={"invalid": _("The secret code has only letters, digits, - and _.")},
    )


class LostLinkForm(forms.Form):
    reference = forms.CharField(label=_("Reference"), max_length=12)
    email = forms.EmailField(
        label=_("The e-mail address you gave us"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class _FieldsetRadios(forms.RadioSelect):
    def id_for_label(self, id_, index=None):
        return id_  # the fieldset (case_code.html): where the error summary links


class SendCaseCodeForm(forms.Form):
    """Where to send the one-time code of a sensitive case: the phone or e-mail on the case
    (``destinations`` from ``services.case_codes.destinations``), shown partly hidden."""

    channel = forms.ChoiceField(label=_("Send the code to"), widget=_FieldsetRadios)

    def __init__(self, *args, destinations, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["channel"]
        assert isinstance(field, forms.ChoiceField)
        labels = {"sms": _("SMS to %(to)s"), "email": _("E-mail to %(to)s")}
        field.choices = [(d.channel, labels[d.channel] % {"to": d.shown}) for d in destinations]
        if destinations:
            field.initial = destinations[0].channel
        if len(destinations) == 1:
            field.widget = forms.HiddenInput()


class CaseCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("One-time code"),
        max_length=12,
        regex=r"^\s*\d(\s*\d){5}\s*$",
        help_text=_("Six digits."),
        error_messages={
            "required": _("Write the code we sent you."),
            "invalid": _("The code is six digits."),
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "off",
                "spellcheck": "false",
                "size": "8",
            }
        ),
    )
