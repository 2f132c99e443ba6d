"""An encrypted column holds the Fernet token, not the text: about 4/3 of 57 + 16·⌈(bytes + 1)/16⌉
characters. Each field's longest allowed text (æøå take two bytes) must fit its column, or the save
fails on PostgreSQL (SQLite does not enforce the width, so only this test would tell)."""

import pytest

from servicetorg.choice.models import Decision
from servicetorg.choice.schools.appeals import TEXT_MAX
from servicetorg.choice.schools.models import Appeal, Round, SchoolApplication
from servicetorg.core.crypto import encrypt_national_id

LONGEST = [
    (Decision, "name", "å" * 200),  # decision_forms.DecisionForm.name: 200 characters
    (Decision, "contact_email", "a" * 64 + "@" + "b" * 189),  # 254 characters, RFC 5321
    (SchoolApplication, "name", "Æ" * 200),
    (SchoolApplication, "contact_email", "a" * 64 + "@" + "b" * 189),
    (SchoolApplication, "contact_phone", "+47 " + "9" * 20),
    (Appeal, "text", "ø" * TEXT_MAX),
    (Appeal, "answer", "ø" * TEXT_MAX),
    (Round, "seed", "f" * 64),
]


@pytest.mark.parametrize(
    ("model", "field", "text"), LONGEST, ids=lambda v: getattr(v, "__name__", str(v)[:12])
)
def test_the_longest_text_fits_the_column_encrypted(model, field, text):
    assert len(encrypt_national_id(text)) <= model._meta.get_field(field).max_length
