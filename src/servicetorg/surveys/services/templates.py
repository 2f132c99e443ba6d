"""Questionnaire templates shipped as JSON in ``surveys/data/``, and surveys made from them."""

import json
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servicetorg.core.models import Municipality

from ..models import BackgroundKind, Survey, SurveyKind
from .building import _background_options, add_question, add_section, create_survey

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "data"


def available_templates() -> list[dict]:
    """Questionnaire templates shipped as JSON in ``surveys/data/``: key, title, description."""
    found = []
    for path in sorted(TEMPLATE_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found.append({"key": path.stem, "title": data["title"], "description": data.get("description", "")})
    return found


def read_template(key: str) -> dict:
    path = TEMPLATE_DIR / f"{key}.json"
    if not key.replace("_", "").replace("-", "").isalnum() or not path.is_file():
        raise ValidationError({"template": _("Unknown questionnaire template.")})
    return json.loads(path.read_text(encoding="utf-8"))


@transaction.atomic
def create_from_template(
    key: str, *, municipality: Municipality, opens_on: date, closes_on: date, user, **fields
) -> Survey:
    """A new survey with the sections and questions of a shipped template."""
    data = read_template(key)
    fields.setdefault("title", data["title"])
    fields.setdefault("introduction", data.get("introduction", ""))
    fields.setdefault("kind", data.get("kind", SurveyKind.USER_SURVEY))
    survey = create_survey(
        municipality=municipality, opens_on=opens_on, closes_on=closes_on, user=user, **fields
    )
    survey.template_key = key
    survey.save(update_fields=["template_key"])
    scales = data.get("scales", {})
    for s_index, section_data in enumerate(data["sections"], start=1):
        section = add_section(
            survey,
            title=section_data["title"],
            introduction=section_data.get("introduction", ""),
            position=s_index,
            user=user,
        )
        for q_index, q in enumerate(section_data["questions"], start=1):
            scale = scales.get(q.get("scale", ""), {})
            automatic = q.get("background") in (BackgroundKind.UNIT, BackgroundKind.SERVICE)
            if automatic and not q.get("options") and len(_background_options(survey, q["background"])) < 2:
                continue  # nothing to choose between in this municipality (yet)
            add_question(
                survey,
                section=section,
                position=q_index,
                kind=q["kind"],
                code=q["code"],
                text=q["text"],
                help_text=q.get("help_text", ""),
                options=q.get("options", scale.get("options")),
                dont_know=q.get("dont_know", scale.get("dont_know", "")),
                background=q.get("background", ""),
                required=q.get("required", False),
                min_value=q.get("min_value"),
                max_value=q.get("max_value"),
                user=user,
            )
    return survey
