from django import forms
from django.utils.translation import gettext_lazy as _


class StatementForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 20}),
        max_length=20000,
        help_text=_(
            "Plain text. An empty line starts a new paragraph; a line starting with “## ” is a heading."
        ),
    )
    contact = forms.CharField(
        label=_("Contact for questions"),
        required=False,
        max_length=200,
        help_text=_("E.g. the data protection officer's e-mail address."),
    )
