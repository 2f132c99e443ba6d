"""Domain operations of surveys, one module per concern.

Plain functions, transactional, used by staff views, the portal, the API, admin and commands alike:

- ``building``: surveys, sections, questions and alternatives; publish and close;
- ``templates``: questionnaire templates shipped in ``surveys/data/``;
- ``answering``: invitation codes, resume keys, drafts, validation and submission, and the release
  of submitted answers to the live results in batches of at least the threshold;
- ``imports``: responses imported from CSV;
- ``publishing``: a question's figure published as an indicator value;
- ``retention``: unfinished answers deleted.

Callers keep importing from the package: ``from servicetorg.surveys import services``.
"""

from .answering import (
    CODE_ALPHABET,
    CleanAnswer,
    check_open,
    create_invitations,
    draft_data,
    hash_key,
    normalise_code,
    questions_of,
    release,
    resume_open,
    save_draft,
    start_open,
    start_with_code,
    submit,
    validate_answers,
)
from .building import (
    DONT_KNOW_VALUE,
    QUESTION_TEXT_FIELDS,
    SURVEY_FIELDS,
    add_question,
    add_section,
    close,
    create_survey,
    delete_question,
    publish,
    update_question,
    update_survey,
)
from .imports import ImportReport, import_responses_csv
from .publishing import publish_indicator_value, question_figure
from .retention import DRAFT_RETENTION_DAYS, purge_drafts
from .templates import TEMPLATE_DIR, available_templates, create_from_template, read_template

__all__ = [
    "CODE_ALPHABET",
    "DONT_KNOW_VALUE",
    "DRAFT_RETENTION_DAYS",
    "QUESTION_TEXT_FIELDS",
    "SURVEY_FIELDS",
    "TEMPLATE_DIR",
    "CleanAnswer",
    "ImportReport",
    "add_question",
    "add_section",
    "available_templates",
    "check_open",
    "close",
    "create_from_template",
    "create_invitations",
    "create_survey",
    "delete_question",
    "draft_data",
    "hash_key",
    "import_responses_csv",
    "normalise_code",
    "publish",
    "publish_indicator_value",
    "purge_drafts",
    "question_figure",
    "questions_of",
    "read_template",
    "release",
    "resume_open",
    "save_draft",
    "start_open",
    "start_with_code",
    "submit",
    "update_question",
    "update_survey",
    "validate_answers",
]
