"""Password rules beyond Django's (review 2 §2.9: ``passordpassord`` passed): a Norwegian list beside
Django's 20 000 common passwords, and the patterns people build from common words — one repeated,
digits or signs added at the ends, few different characters. No online service is asked."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NORWEGIAN_LIST = Path(__file__).resolve().parent / "data" / "common_passwords_no.txt"


@cache
def common_words() -> frozenset[str]:
    words = {
        line.strip().lower()
        for line in NORWEGIAN_LIST.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    return frozenset(words | set(CommonPasswordValidator().passwords))


def _unit(text: str) -> str:
    """The shortest piece that ``text`` repeats ("passordpassord" → "passord"), or ``text``."""
    match = re.fullmatch(r"(.+?)\1+", text)
    return match.group(1) if match else text


class PatternPasswordValidator:
    """Refuses a password that is a common word (Norwegian or English) repeated or with digits and
    signs at its ends (``Sommer2026!``, ``passordpassord``, ``Qwertyqwerty1``), one repeated piece
    (``abcabcabcabc``), or one with fewer than ``min_distinct`` different characters."""

    def __init__(self, min_distinct: int = 5):
        self.min_distinct = min_distinct

    def validate(self, password, user=None):
        text = re.sub(r"\s+", "", password or "").lower()
        core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", text)  # digits and signs at the ends
        letters = re.sub(r"[\W\d_]+", "", text)
        words = common_words()
        if len(set(text)) < self.min_distinct:
            raise ValidationError(
                _("The password has too few different characters."), code="password_too_few_characters"
            )
        if _unit(text) != text and len(_unit(text)) <= len(text) // 2:
            raise ValidationError(_("The password repeats the same piece."), code="password_repeated")
        for candidate in {core, letters, _unit(core), _unit(letters)}:
            if candidate and (candidate in words or _unit(candidate) in words):
                raise ValidationError(
                    _("The password is built from a common word. Choose a sentence or several words."),
                    code="password_common_word",
                )

    def get_help_text(self):
        return _("Not a common word repeated or with digits added, and not one piece repeated.")
