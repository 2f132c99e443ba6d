"""Every staff URL and API endpoint, for every role: the expected answer (the roles matrix in use).

One municipality with two units (Oppvekst, and Helse whose service is sensitive), inquiries at the
desk, in Oppvekst and in Helse, a survey per unit, an indicator, a strategy with a follow-up report,
a user-choice scheme in draft and one adopted, a provider the walk's provider user works for and
another provider's application.
Each role walks every URL (GET; POST with an empty body for actions) and gets, per URL:

    y  allowed (2xx, a redirect that is not to the log-in page, or 400/405 for the empty body)
    n  refused (403)
    h  hidden (404: what the role may not read does not exist for it)
    l  log in first (anonymous: redirect to the log-in page, or 401/403 from the API)

A URL that is not in the table fails the test, so a new page or endpoint must say who may use it.
The columns are the roles of :data:`ROLES`.
"""

from __future__ import annotations

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from servicetorg.benchmarking.models import Region
from servicetorg.choice import choices as choice_services
from servicetorg.choice import providers as choice_providers
from servicetorg.choice.models import ApplicationDocument, ProviderMember, SupplementaryService
from servicetorg.choice.schools import allocate as school_allocate
from servicetorg.choice.schools.models import Appeal, BudgetModel
from servicetorg.core.choices import Channel, Role
from servicetorg.core.models import OutboxMessage
from servicetorg.core.permissions import SYSTEM
from servicetorg.indicators import services as indicator_services
from servicetorg.indicators.models import Indicator, Source
from servicetorg.inquiries import services as inquiry_services
from servicetorg.inquiries.attachments import check_upload
from servicetorg.inquiries.models import Attachment, AttachmentSource, Compensation
from servicetorg.strategy import services as strategy_services
from servicetorg.strategy.models import ConsultationComment
from tests.benchmarking.ranking_world import walk_objects as ranking_walk_objects
from tests.choice import school_factories as schools
from tests.choice.conftest import build_scheme
from tests.choice.people import KARI, OLA, approve, decide, make_provider
from tests.choice.provider_helpers import ORGNRS, apply_public, sample_pdf
from tests.choice.visit_factories import walk_objects
from tests.factories import MunicipalityFactory, UnitFactory, make_service, make_staff
from tests.servicetest.helpers import walk_objects as servicetest_walk_objects
from tests.strategy.conftest import build_strategy
from tests.surveys.conftest import answer, make_survey

pytestmark = pytest.mark.slow  # every URL and endpoint for every role

#: Column order of the expectation strings.
ROLES = (
    "desk",  # desk worker (no unit)
    "officer",  # case officer in Oppvekst
    "leader",  # unit leader of Oppvekst
    "admin",  # administration (rådmann)
    "council",  # council member
    "provider",  # provider (user choice): no staff role
    "other",  # administration of another municipality
    "anon",  # not logged in
)

# (url name, object, method): expected answer per role, in ROLES order.
# Objects: "-" none; "i.desk" the unrouted inquiry, "i.unit" routed to Oppvekst, "i.health" the
# sensitive one routed to Helse; "s.unit" the Oppvekst survey, "s.health" the Helse survey; the rest
# name their object.
EXPECTED: dict[tuple[str, str, str], str] = {
    # Core
    ("core:staff-home", "-", "get"): "yyyyyyyl",
    ("core:outbox", "-", "get"): "nnnynnyl",
    ("core:outbox-retry", "outbox", "post"): "hhhyhhhl",
    # Retention periods: the municipality's admin only; access and erasure: administration and admin
    # (the other municipality's administration reaches only its own municipality's data).
    ("privacy:retention", "-", "get"): "nnnnnnnl",
    ("privacy:retention", "-", "post"): "nnnnnnnl",
    ("privacy:personal-data", "-", "get"): "nnnynnyl",
    ("privacy:personal-data", "-", "post"): "nnnynnyl",
    # One record exported alone: only a sensitive one (the administration's export withholds it), by
    # whoever may read it in full: its unit (the walk's health unit has no member here).
    ("privacy:personal-data-record", "i.desk", "get"): "hhhhhhhl",
    ("privacy:personal-data-record", "i.unit", "get"): "hhhhhhhl",
    ("privacy:personal-data-record", "i.health", "get"): "hhhhhhhl",
    ("privacy:personal-data-record", "i.health", "post"): "hhhhhhhl",
    # Catalogue: every staff role reads, editors edit (a unit leader her unit's services).
    ("catalogue:service-list", "-", "get"): "yyyyynyl",
    ("catalogue:service-create", "-", "get"): "nnyynnyl",
    ("catalogue:service-detail", "service.unit", "get"): "yyyyyhhl",
    ("catalogue:service-detail", "service.health", "get"): "yyyyyhhl",
    ("catalogue:service-edit", "service.unit", "get"): "nnyynhhl",
    ("catalogue:service-edit", "service.health", "get"): "nnnynhhl",
    ("catalogue:draft-edit", "service.unit", "get"): "nnyynhhl",
    ("catalogue:version-detail", "version.unit", "get"): "yyyyyhhl",
    ("catalogue:draft-start", "service.health", "post"): "nnnynhhl",
    ("catalogue:service-reviewed", "service.health", "post"): "nnnynhhl",
    ("catalogue:draft-publish", "service.health", "post"): "nnnynhhl",
    ("catalogue:service-withdraw", "service.health", "post"): "nnnynhhl",
    ("catalogue_api:service-list", "-", "get"): "yyyyynyl",
    ("catalogue_api:service-detail", "service.unit", "get"): "yyyyynhl",
    # The portal's search (no query given: 400 for staff; the municipality is checked in tests/catalogue).
    ("catalogue_api:service-search", "-", "get"): "yyyyynyl",
    ("catalogue_api:service-draft", "service.health", "put"): "nnnynnhl",
    ("catalogue_api:service-publish", "service.health", "post"): "nnnynnhl",
    ("catalogue_api:service-withdraw", "service.health", "post"): "nnnynnhl",
    ("catalogue_api:area-list", "-", "get"): "yyyyynyl",
    ("catalogue_api:area-detail", "area", "get"): "yyyyynhl",
    ("catalogue_api:api-root", "-", "get"): "yyyyyyyl",
    # Inquiries: the desk sees what is not routed, a unit its own, administration all but the
    # sensitive ones, the council only the dashboard.
    ("inquiries:queue", "-", "get"): "yyyynnyl",
    ("inquiries:register", "-", "get"): "yyyynnyl",
    ("inquiries:lookup", "-", "get"): "ynnynnyl",
    ("inquiries:detail", "i.desk", "get"): "yyyyhhhl",
    ("inquiries:detail", "i.unit", "get"): "hyyyhhhl",
    ("inquiries:detail", "i.health", "get"): "hhhhhhhl",
    ("inquiries:attachment", "a.unit", "get"): "hyyyhhhl",
    ("inquiries:attachment", "a.health", "get"): "hhhhhhhl",
    ("inquiries:act", "i.unit", "post"): "hyyyhhhl",
    ("inquiries:act", "i.health", "post"): "hhhhhhhl",
    ("inquiries:rules", "-", "get"): "nnnynnyl",
    ("inquiries:compensations", "-", "get"): "nnnynnyl",
    ("inquiries:settle", "compensation", "post"): "hhhyhhhl",
    ("inquiries:dashboard", "-", "get"): "nnyyynyl",
    ("inquiries:dashboard-export", "csv", "get"): "nnyyynyl",
    ("inquiries_api:inquiry-list", "-", "get"): "yyyynnyl",
    ("inquiries_api:inquiry-detail", "i.desk", "get"): "yyyynnhl",
    ("inquiries_api:inquiry-detail", "i.unit", "get"): "hyyynnhl",
    ("inquiries_api:inquiry-detail", "i.health", "get"): "hhhhnnhl",
    ("inquiries_api:inquiry-reply", "i.unit", "post"): "hyyynnhl",
    ("inquiries_api:inquiry-route", "i.health", "post"): "hhhhnnhl",
    ("inquiries_api:dashboard", "-", "get"): "nnyyynyl",
    ("inquiries_api:api-root", "-", "get"): "yyyyyyyl",
    # Surveys: everyone reads the figures; breakdowns and changes for the survey's editors (a unit
    # leader her unit's surveys).
    ("surveys:survey-list", "-", "get"): "yyyyynyl",
    ("surveys:survey-create", "-", "get"): "nnyynnyl",
    ("surveys:survey-from-template", "-", "get"): "nnyynnyl",
    ("surveys:survey-detail", "s.unit", "get"): "yyyyyhhl",
    ("surveys:results", "s.unit", "get"): "yyyyyhhl",
    ("surveys:report", "s.unit", "get"): "yyyyyhhl",
    ("surveys:correlations", "s.unit", "get"): "yyyyyhhl",
    ("surveys:question-chart", "q.unit", "get"): "yyyyyhhl",
    ("surveys:export-xlsx", "s.unit", "get"): "yyyyyhhl",
    ("surveys:crosstab", "s.unit", "get"): "nnyynhhl",
    ("surveys:crosstab", "s.health", "get"): "nnnynhhl",
    ("surveys:compare", "s.unit", "get"): "nnyynhhl",
    ("surveys:free-text", "text.unit", "get"): "nnyynhhl",
    ("surveys:survey-edit", "s.unit", "get"): "nnyynhhl",
    ("surveys:survey-edit", "s.health", "get"): "nnnynhhl",
    ("surveys:question-add", "s.health", "get"): "nnnynhhl",
    ("surveys:question-edit", "q.health", "get"): "nnnynhhl",
    ("surveys:import", "s.unit", "get"): "nnyynhhl",
    ("surveys:import", "s.health", "get"): "nnnynhhl",
    ("surveys:publish-indicator", "s.health", "get"): "nnnynhhl",
    ("surveys:export-csv", "s.unit", "get"): "nnyynhhl",
    ("surveys:export-csv", "s.health", "get"): "nnnynhhl",
    ("surveys:section-add", "s.health", "post"): "nnnynhhl",
    ("surveys:invitations-create", "s.health", "post"): "nnnynhhl",
    ("surveys:survey-publish", "s.health", "post"): "nnnynhhl",
    ("surveys:survey-close", "s.health", "post"): "nnnynhhl",
    ("surveys:question-delete", "q.health", "post"): "nnnynhhl",
    ("surveys_api:survey-list", "-", "get"): "yyyyynyl",
    ("surveys_api:survey-detail", "s.unit", "get"): "yyyyynhl",
    ("surveys_api:survey-results", "s.unit", "get"): "yyyyynhl",
    ("surveys_api:survey-correlations", "s.unit", "get"): "yyyyynhl",
    ("surveys_api:survey-crosstab", "s.unit", "get"): "nnyynnhl",
    ("surveys_api:survey-crosstab", "s.health", "get"): "nnnynnhl",
    ("surveys_api:survey-import-csv", "s.health", "post"): "nnnynnhl",
    ("surveys_api:api-root", "-", "get"): "yyyyyyyl",
    # Indicators: everyone reads; a unit leader records her unit's values, administration all.
    ("indicators:indicator-list", "-", "get"): "yyyyynyl",
    ("indicators:indicator-create", "-", "get"): "nnyynnyl",
    ("indicators:indicator-detail", "indicator", "get"): "yyyyynhl",
    ("indicators:import-csv", "-", "get"): "nnyynnyl",
    ("indicators:import-jsonstat", "-", "get"): "nnnynnyl",
    ("indicators:record-inquiry-figures", "-", "post"): "nnnynnyl",
    ("indicators_api:indicator-list", "-", "get"): "yyyyynyl",
    ("indicators_api:indicator-detail", "indicator", "get"): "yyyyynhl",
    ("indicators_api:indicator-values", "indicator", "get"): "yyyyynhl",
    ("indicators_api:value-list", "-", "get"): "yyyyynyl",
    ("indicators_api:value-detail", "value", "get"): "yyyyynhl",
    # Benchmarking, own figures: the publication choices are the administration's (the other
    # municipality's administration is sent to her own); the figures' API is public.
    ("benchmarking:official-import", "-", "get"): "nnnynnyl",
    ("benchmarking:official-import", "-", "post"): "nnnnnnnl",  # national data: no steward named
    ("benchmarking_api:region-list", "-", "get"): "yyyyyyyy",
    ("benchmarking_api:region-detail", "region", "get"): "yyyyyyyy",
    ("benchmarking_api:indicator-list", "-", "get"): "yyyyyyyy",
    ("benchmarking_api:value-list", "-", "get"): "yyyyyyyy",
    ("benchmarking_api:series", "region", "get"): "yyyyyyyy",
    ("benchmarking:owndata-choice-list", "-", "get"): "nnnynnyl",
    ("benchmarking:owndata-choices", "owndata.muni", "get"): "hhhyhhhl",
    ("benchmarking:owndata-choices", "owndata.muni", "post"): "hhhyhhhl",
    ("benchmarking_api:owndata-list", "-", "get"): "yyyyyyyy",
    ("benchmarking_api:owndata-figure", "owndata.figure", "get"): "yyyyyyyy",
    # Ranking: methods and runs are the benchmark editors' (administration) of their own municipality;
    # published runs are public (the walk's run is a draft: only its municipality's editors see it).
    ("benchmarking:ranking-methods", "-", "get"): "nnnynnyl",
    ("benchmarking:ranking-methods", "-", "post"): "nnnynnyl",
    ("benchmarking:ranking-method", "rank.method", "get"): "hhhyhhhl",
    ("benchmarking:ranking-method", "rank.method", "post"): "hhhyhhhl",
    ("benchmarking:ranking-method-run", "rank.method", "post"): "hhhyhhhl",
    ("benchmarking:ranking-run", "rank.run", "get"): "hhhyhhhl",
    ("benchmarking:ranking-run-publish", "rank.run", "post"): "hhhyhhhl",
    ("benchmarking:ranking-run-verify", "rank.run", "post"): "hhhyhhhl",
    ("benchmarking_api:ranking-list", "-", "get"): "yyyyyyyy",
    ("benchmarking_api:ranking-list", "-", "post"): "nnnynnyl",
    ("benchmarking_api:ranking-detail", "rank.run", "get"): "hhhyhhhh",
    ("benchmarking_api:ranking-results", "rank.run", "get"): "hhhyhhhh",
    ("benchmarking_api:ranking-publish", "rank.run", "post"): "nnnynnhl",
    # Strategy: everyone reads; administration edits.
    ("strategy:strategy-list", "-", "get"): "yyyyynyl",
    ("strategy:strategy-create", "-", "get"): "nnnynnyl",
    ("strategy:strategy-detail", "strategy", "get"): "yyyyyhhl",
    ("strategy:strategy-edit", "strategy", "get"): "nnnynhhl",
    ("strategy:focus-area-add", "strategy", "post"): "nnnynhhl",
    ("strategy:goal-add", "strategy", "post"): "nnnynhhl",
    ("strategy:goal-indicator-add", "goal", "post"): "nnnynhhl",
    ("strategy:target-set", "link", "post"): "nnnynhhl",
    ("strategy:instrument-add", "strategy", "post"): "nnnynhhl",
    ("strategy:item-edit", "item", "get"): "nnnynhhl",
    ("strategy:status-add", "strategy", "post"): "nnnynhhl",
    ("strategy:measure-add", "strategy", "post"): "nnnynhhl",
    ("strategy:measure-progress", "measure", "post"): "nnnynhhl",
    ("strategy:strategy-transition", "strategy", "post"): "nnnynhhl",
    ("strategy:strategy-roll", "strategy", "post"): "nnnynhhl",
    ("strategy:comment-list", "strategy", "get"): "nnnynhhl",
    ("strategy:comment-moderate", "comment", "post"): "nnnynhhl",
    ("strategy:report-create", "strategy", "post"): "nnnynhhl",
    ("strategy:report-detail", "report", "get"): "yyyyyhhl",
    ("strategy:report-transition", "report", "post"): "nnnynhhl",
    ("strategy:report-pdf", "report", "get"): "yyyyyhhl",
    ("strategy_api:strategy-list", "-", "get"): "yyyyynyl",
    ("strategy_api:strategy-detail", "strategy", "get"): "yyyyynhl",
    ("strategy_api:strategy-roll", "strategy", "post"): "nnnynnhl",
    ("strategy_api:strategy-transition", "strategy", "post"): "nnnynnhl",
    ("strategy_api:report-list", "-", "get"): "yyyyynyl",
    ("strategy_api:report-detail", "report", "get"): "yyyyynhl",
    ("strategy_api:report-figures", "report", "get"): "yyyyynhl",
    # User choice: every staff role and the council read schemes; administration drafts and adopts.
    ("choice:scheme-list", "-", "get"): "yyyyynyl",
    ("choice:scheme-create", "-", "get"): "nnnynnyl",
    ("choice:scheme-create", "-", "post"): "nnnynnyl",
    ("choice:scheme-detail", "scheme.draft", "get"): "yyyyyhhl",
    ("choice:scheme-detail", "scheme.adopted", "get"): "yyyyyhhl",
    ("choice:scheme-edit", "scheme.draft", "get"): "nnnynhhl",
    ("choice:scheme-edit", "scheme.draft", "post"): "nnnynhhl",
    ("choice:scheme-adopt", "scheme.draft", "get"): "nnnynhhl",
    ("choice:scheme-adopt", "scheme.draft", "post"): "nnnynhhl",
    ("choice:scheme-new-version", "scheme.adopted", "post"): "nnnynhhl",
    ("choice:evaluation", "-", "get"): "yyyyynyl",  # aggregates only
    ("choice:evaluation-record", "scheme.adopted", "post"): "nnnynhhl",  # indicators.edit, whole municipality
    # Care decisions (health data): the ordering unit by its reach (d.unit is Oppvekst's, d.health
    # Helse's); the walk's provider user works for the provider chosen in d.unit and sees only that.
    ("choice:decision-list", "-", "get"): "nyyynnyl",
    ("choice:decision-create", "-", "get"): "nyyynnyl",
    ("choice:decision-create", "-", "post"): "nyyynnyl",
    ("choice:decision-detail", "d.unit", "get"): "hyyyhhhl",
    ("choice:decision-detail", "d.health", "get"): "hhhyhhhl",
    ("choice:decision-new-version", "d.unit", "get"): "hyyyhhhl",
    ("choice:decision-new-version", "d.unit", "post"): "hyyyhhhl",
    ("choice:decision-end", "d.unit", "get"): "hyyyhhhl",
    ("choice:decision-end", "d.health", "post"): "hhhyhhhl",
    ("choice:decision-choose", "d.unit", "get"): "hyyyhhhl",
    ("choice:decision-choose", "d.health", "post"): "hhhyhhhl",
    ("choice:decision-default", "d.unit", "post"): "hyyyhhhl",
    ("choice:choice-cancel", "c.unit", "post"): "hyyyhhhl",
    ("choice:waiting-lists", "-", "get"): "nyyynnyl",
    ("choice:waiting-place", "provider", "post"): "nyyynnhl",
    ("choice:application-withdraw", "application", "get"): "nnnynhhl",
    ("choice:application-withdraw", "application", "post"): "nnnynhhl",
    ("choice:application-moves", "application", "get"): "nnnhnhhl",  # not withdrawn: no report
    ("choice:provider-users", "-", "get"): "nnnnnynl",
    ("choice:provider-user", "d.unit", "get"): "nnnnnynl",
    ("choice:provider-user", "d.health", "get"): "nnnnnhnl",
    # Providers: the registry and the applications are read like schemes, the administration decides
    # (and alone downloads documents); the provider's own portal is its users' alone (another
    # provider's pages answer 404 to her), never a staff role's.
    ("choice:provider-list", "-", "get"): "yyyyynyl",
    ("choice:provider-create", "-", "get"): "nnnynnyl",
    ("choice:provider-create", "-", "post"): "nnnynnyl",
    ("choice:provider-detail", "prov.own", "get"): "yyyyyhhl",
    ("choice:provider-edit", "prov.own", "get"): "nnnynhhl",
    ("choice:provider-edit", "prov.own", "post"): "nnnynhhl",
    ("choice:provider-register-application", "prov.own", "get"): "nnnynhhl",
    ("choice:provider-register-application", "prov.own", "post"): "nnnynhhl",
    ("choice:provider-member-add", "prov.own", "post"): "nnnynhhl",
    ("choice:provider-member-remove", "member", "post"): "nnnynhhl",
    ("choice:application-list", "-", "get"): "yyyyynyl",
    ("choice:application-detail", "app.submitted", "get"): "yyyyyhhl",
    ("choice:application-decide", "app.submitted", "post"): "nnnynhhl",
    ("choice:application-document", "document", "get"): "nnnynhhl",
    ("choice:portal-home", "-", "get"): "nnnnnynl",
    ("choice:portal-provider", "prov.own", "get"): "nnnnnynl",
    ("choice:portal-provider", "prov.other", "get"): "nnnnnhnl",
    ("choice:portal-profile", "prov.own", "get"): "nnnnnynl",
    ("choice:portal-profile", "prov.own", "post"): "nnnnnynl",
    ("choice:portal-profile", "prov.other", "post"): "nnnnnhnl",
    ("choice:portal-apply", "prov.own", "get"): "nnnnnynl",
    ("choice:portal-apply", "prov.own", "post"): "nnnnnynl",
    ("choice:portal-supplementary-create", "prov.own", "get"): "nnnnnynl",
    ("choice:portal-supplementary-create", "prov.own", "post"): "nnnnnynl",
    ("choice:portal-supplementary-edit", "supp", "get"): "nnnnnynl",
    ("choice:portal-supplementary-edit", "supp", "post"): "nnnnnynl",
    ("choice:portal-supplementary-edit", "supp.other", "get"): "nnnnnhnl",
    ("choice:portal-supplementary-delete", "supp", "post"): "nnnnnynl",
    ("choice:portal-supplementary-delete", "supp.other", "post"): "nnnnnhnl",
    # The choices API: the ordering unit (a list needs ?decision=: 400 for those who may ask).
    ("choice_api:choice-list", "-", "get"): "nyyynnyl",
    ("choice_api:choice-list", "-", "post"): "nyyynnyl",
    # The providers' API is public (what the comparison page shows).
    ("choice_api:provider-list", "-", "get"): "yyyyyyyy",
    ("choice_api:provider-detail", "prov.own", "get"): "yyyyyyyy",
    # Visits: the provider's own (a provider user with no provider is refused; another's visit is
    # not there); statements: the settlement office and the provider they are for; deviations: the
    # ordering unit (case officers and leaders of their units, administration).
    ("choice:visit-list", "-", "get"): "nnnnnynl",
    ("choice:visit-create", "-", "get"): "nnnnnynl",
    ("choice:visit-create", "-", "post"): "nnnnnynl",
    ("choice:visit-upload", "-", "get"): "nnnnnynl",
    ("choice:visit-upload", "-", "post"): "nnnnnynl",
    ("choice:visit-attest", "visit", "post"): "hhhhhyhl",
    ("choice:visit-correct", "visit", "get"): "hhhhhyhl",
    ("choice:visit-correct", "visit", "post"): "hhhhhyhl",
    ("choice:visit-cancel", "visit", "post"): "hhhhhyhl",
    ("choice:provider-statements", "-", "get"): "nnnnnynl",
    ("choice:settlement-list", "-", "get"): "nnnynnyl",
    ("choice:settlement-compute", "-", "post"): "nnnynnyl",
    ("choice:settlement-detail", "settlement", "get"): "hhhyhyhl",
    ("choice:settlement-export", "settlement.csv", "get"): "hhhyhyhl",
    ("choice:settlement-approve", "settlement", "post"): "hhhyhnhl",
    ("choice:settlement-pay", "settlement", "post"): "hhhyhnhl",
    ("choice:deviation-list", "-", "get"): "nyyynnyl",
    ("choice:deviation-list", "-", "post"): "nyyynnyl",
    ("choice_api:visit-list", "-", "get"): "nnnnnynl",
    ("choice_api:visit-list", "-", "post"): "nnnnnynl",
    ("choice_api:visit-detail", "visit", "get"): "nnnnnynl",
    ("choice_api:settlement-list", "-", "get"): "nnnynyyl",
    ("choice_api:settlement-detail", "settlement", "get"): "nnnynyhl",
    # Min side: who may act for whom — case officers, unit leaders, administration (each in her own
    # municipality); an empty post is a form with errors (400).
    ("citizens:relations", "-", "get"): "nyyynnyl",
    ("citizens:relations", "-", "post"): "nyyynnyl",
    # School choice: every staff role and the council read rounds, runs, what-ifs and the budget (the
    # council runs what-ifs); the school office and administration act; applications and appeals
    # carry children's data: the school office and administration only (the walk's "admin").
    ("schools:round-list", "-", "get"): "yyyyynyl",
    ("schools:round-create", "-", "get"): "nnnynnyl",
    ("schools:round-create", "-", "post"): "nnnynnyl",
    ("schools:round-detail", "round", "get"): "yyyyyhhl",
    ("schools:round-edit", "round", "get"): "nnnynhhl",
    ("schools:round-edit", "round", "post"): "nnnynhhl",
    ("schools:round-action", "round.publish", "post"): "nnnynhhl",
    ("schools:round-run", "round", "post"): "nnnynhhl",
    ("schools:round-waiting-list", "round", "post"): "nnnynhhl",
    ("schools:round-feasibility", "round", "get"): "yyyyyhhl",
    ("schools:what-if", "round", "get"): "yyyyyhhl",
    ("schools:what-if", "round", "post"): "yyyyyhhl",
    ("schools:run-detail", "run", "get"): "yyyyyhhl",
    ("schools:school-list", "-", "get"): "yyyyynyl",
    ("schools:school-create", "-", "get"): "nnnynnyl",
    ("schools:school-create", "-", "post"): "nnnynnyl",
    ("schools:school-edit", "school", "get"): "nnnynhhl",
    ("schools:school-edit", "school", "post"): "nnnynhhl",
    ("schools:address-register", "-", "get"): "yyyyynyl",
    ("schools:address-register", "-", "post"): "nnnynnyl",
    ("schools:application-list", "sround", "get"): "nnnynhhl",
    ("schools:application-create", "sround", "get"): "nnnynhhl",
    ("schools:application-create", "sround", "post"): "nnnynhhl",
    ("schools:application-import", "sround", "get"): "nnnynhhl",
    ("schools:application-import", "sround", "post"): "nnnynhhl",
    ("schools:application-import-sample", "sround", "get"): "nnnynhhl",
    ("schools:application-detail", "sapp", "get"): "nnnynhhl",
    ("schools:application-edit", "sapp", "get"): "nnnynhhl",
    ("schools:application-edit", "sapp", "post"): "nnnynhhl",
    ("schools:application-withdraw", "sapp", "post"): "nnnynhhl",
    ("schools:appeal-list", "-", "get"): "nnnynnyl",
    ("schools:appeal-detail", "appeal", "get"): "nnnynhhl",
    ("schools:appeal-answer", "appeal", "post"): "nnnynhhl",
    ("schools:budget-list", "-", "get"): "yyyyynyl",
    ("schools:budget-list", "-", "post"): "nnnynnyl",
    ("schools:budget-detail", "budget", "get"): "yyyyyhhl",
    ("schools:budget-xlsx", "budget", "get"): "yyyyyhhl",
    ("schools:budget-edit", "budget", "get"): "nnnynhhl",
    ("schools:budget-edit", "budget", "post"): "nnnynhhl",
    # The rounds API: published rules for anyone, the school office's steps (no Idempotency-Key: 400).
    ("schools_api:round-list", "-", "get"): "yyyyyyyy",
    ("schools_api:round-list", "-", "post"): "nnnynnyl",
    ("schools_api:round-detail", "round", "get"): "yyyyyyyy",
    ("schools_api:round-cutoffs", "round", "get"): "hhhhhhhh",  # not published yet
    ("schools_api:round-explanations", "round", "get"): "nnnynnhl",
    ("schools_api:round-run", "round", "post"): "nnnynnhl",
    ("schools_api:round-publish", "round", "post"): "nnnynnhl",
    # The kommunetest: a round organised by the other municipality (Nabovik) that tested this one,
    # published. No walked role coordinates or tests (tests/servicetest walks those roles); the tested
    # municipality's staff read their own result, administration (strategy.edit) makes it a measure.
    ("servicetest:round-list", "-", "get"): "nnnnnnnl",
    ("servicetest:round-create", "-", "get"): "nnnnnnnl",
    ("servicetest:round-detail", "st.round", "get"): "hhhhhhhl",
    ("servicetest:round-action", "st.round.start", "post"): "hhhhhhhl",
    ("servicetest:region-add", "st.round", "post"): "hhhhhhhl",
    ("servicetest:region-draw", "st.round", "post"): "hhhhhhhl",
    ("servicetest:region-remove", "st.region", "post"): "hhhhhhhl",
    ("servicetest:tester-enrol", "st.round", "post"): "hhhhhhhl",
    ("servicetest:approve-all", "st.round", "post"): "hhhhhhhl",
    ("servicetest:item-detail", "st.item", "get"): "hhhhhhhl",
    ("servicetest:item-action", "st.item.approve", "post"): "hhhhhhhl",
    ("servicetest:item-assign", "st.item", "post"): "hhhhhhhl",
    ("servicetest:question-list", "-", "get"): "nnnnnnnl",
    ("servicetest:my-items", "-", "get"): "nnnnnnnl",
    ("servicetest:item-record", "st.item", "get"): "hhhhhhhl",
    ("servicetest:results", "-", "get"): "yyyyynyl",
    ("servicetest:result-detail", "st.result", "get"): "yyyyyhhl",
    ("servicetest:make-measure", "st.web", "post"): "nnnynhhl",
    ("servicetest_api:result-list", "-", "get"): "yyyyyyyy",
    ("servicetest_api:result-detail", "st.round", "get"): "yyyyyyyy",
    # Benchmarking, compare part: KOSTRA groups are national (benchmarking.edit anywhere); saved peer
    # groups are the municipality's own (another's is not there); the compare API is public.
    ("benchmarking:kostra-groups", "-", "get"): "nnnynnyl",
    ("benchmarking:kostra-groups", "-", "post"): "nnnnnnnl",  # national data: no steward named
    ("benchmarking:peer-group-list", "-", "get"): "nnnynnyl",
    ("benchmarking:peer-group-create", "-", "get"): "nnnynnyl",
    ("benchmarking:peer-group-create", "-", "post"): "nnnynnyl",
    ("benchmarking:peer-group-edit", "peergroup", "get"): "hhhyhhhl",
    ("benchmarking:peer-group-edit", "peergroup", "post"): "hhhyhhhl",
    ("benchmarking:peer-group-delete", "peergroup", "post"): "hhhyhhhl",
    ("benchmarking_api:compare", "-", "get"): "yyyyyyyy",
    ("benchmarking_api:similar", "region", "get"): "yyyyyyyy",  # no context figures: 400
}

#: Not staff pages: the log-in and log-out pages, the API schema and its documentation page.
#: The portal's statement editors answer for the municipality of the request's host name, not for an
#: object in the URL; their roles are tested in tests/portal.
NOT_WALKED = {
    "core:login",
    "core:logout",
    "api-schema",
    "api-docs",
    "portal:privacy-edit",
    "portal:accessibility-edit",
    # The user's own account (password, second factor): any logged-in user, no one else's data.
    "core:password-change",
    "core:mfa",
    "core:mfa-enrol",
}


def _url_names() -> set[str]:
    """Every named staff and API URL (except Open311, which is public and keyed)."""

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else p.namespace or namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                yield prefix + str(p.pattern), f"{namespace}:{p.name}" if namespace else p.name

    return {
        name
        for route, name in walk(get_resolver().url_patterns, "", None)
        if route.startswith(("staff", "api")) and not name.startswith("open311:")
    }


def test_every_staff_url_and_endpoint_has_an_expectation():
    walked = {name for name, _obj, _method in EXPECTED}
    assert _url_names() - NOT_WALKED - walked == set()
    assert all(len(v) == len(ROLES) for v in EXPECTED.values())


@pytest.fixture
def world(db, tmp_path, settings, monkeypatch):
    municipality = MunicipalityFactory(name="Fjordvik", number="3999", organization_number="940192226")
    other = MunicipalityFactory(name="Nabovik", number="3998", organization_number="964965226")
    oppvekst = UnitFactory(municipality=municipality, name="Oppvekst", slug="oppvekst")
    helse = UnitFactory(municipality=municipality, name="Helse", slug="helse")
    service = make_service(municipality, unit=oppvekst, slug="barnehageplass")
    health_service = make_service(municipality, unit=helse, slug="helsestasjon", name="Helsestasjon")
    health_service.sensitive = True
    health_service.save(update_fields=["sensitive"])
    users = {
        "desk": make_staff(Role.DESK_WORKER, municipality),
        "officer": make_staff(Role.CASE_OFFICER, municipality, oppvekst),
        "leader": make_staff(Role.UNIT_LEADER, municipality, oppvekst),
        "admin": make_staff(Role.ADMINISTRATION, municipality),
        "council": make_staff(Role.COUNCIL, municipality),
        "provider": make_staff(Role.PROVIDER, municipality),
        "other": make_staff(Role.ADMINISTRATION, other),
        "anon": None,
    }

    def register(svc, subject, route_to=None):
        return inquiry_services.register(
            municipality=municipality,
            channel=Channel.WEB_FORM,
            subject=subject,
            body="Navn og detaljer",
            service=svc,
            contact_name="Ola Nordmann",
            user=SYSTEM,
            route_to=route_to,
        ).inquiry

    desk_inquiry = register(service, "Ved skranken")
    unit_inquiry = register(service, "I Oppvekst", oppvekst)
    health_inquiry = register(health_service, "Helse", helse)
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments")},
        },
    }
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storages["attachments"])
    pdf = SimpleUploadedFile("vedlegg.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    attachments = {
        key: inquiry_services.add_attachments(
            inquiry, [check_upload(pdf)], user=SYSTEM, source=AttachmentSource.CITIZEN
        )[0]
        for key, inquiry in (("unit", unit_inquiry), ("health", health_inquiry))
    }
    compensation = Compensation.objects.create(
        municipality=municipality, inquiry=unit_inquiry, amount=500, guarantee="Svar i tide"
    )
    surveys = {}
    for key, unit in (("unit", oppvekst), ("health", helse)):
        survey = make_survey(municipality, unit=unit, title=f"Undersøkelse {key}")
        for i in range(6):
            answer(
                survey,
                {
                    "q1": str(1 + i % 6),
                    "q2": str(1 + (i + 2) % 6),
                    "kjonn": str(1 + i % 2),
                    "kontakter": str(i),
                    "kanal": ["1"],
                    "bedre": f"Tekst {i}",
                },
            )
        surveys[key] = survey
    indicator = Indicator.objects.create(
        municipality=municipality, code="svartid", name="Svartid", unit_of_measure="dager", source=Source.OWN
    )
    value = indicator_services.record_value(
        indicator=indicator, municipality=municipality, year=2025, value=3, source=Source.OWN, user=SYSTEM
    )
    Indicator.objects.create(
        code="henvendelser-antall", name="Henvendelser", unit_of_measure="antall", source=Source.INQUIRY_KPI
    )
    strategy = build_strategy(municipality)
    goal = strategy.focus_areas.get().goals.order_by("pk").first()
    link = goal.goal_indicators.first()
    measure = strategy.focus_areas.get().measures.order_by("pk").first()
    comment = ConsultationComment.objects.create(strategy=strategy, name="Kari", text="Bra", role="citizen")
    published = build_strategy(municipality, start_year=2020, publish=True)
    report = strategy_services.create_report(published, as_of_year=2021, user=SYSTEM)
    scheme_draft = build_scheme(municipality)
    scheme_adopted = build_scheme(
        municipality, service=make_service(municipality, slug="hjemmesykepleie"), adopt=True
    )
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True
    own, elsewhere = (
        make_provider(municipality, "Aktiv Omsorg AS"),
        make_provider(municipality, "Bedre Hjelp AS"),
    )
    approve(scheme_adopted, own)
    application = approve(scheme_adopted, elsewhere)
    ProviderMember.objects.create(provider=own, user=users["provider"])
    d_unit = decide(scheme_adopted, KARI, unit=oppvekst)
    d_health = decide(scheme_adopted, OLA, unit=helse)
    c_unit = choice_services.choose(d_unit, own, user=SYSTEM).choice
    choice_services.choose(d_health, elsewhere, user=SYSTEM)
    # Providers: the walk's provider user works for "own" (also applied in a scheme allowing
    # supplementary services); "Annen AS" has a submitted application with a document.
    monkeypatch.setattr(ApplicationDocument._meta.get_field("file"), "storage", storages["attachments"])
    scheme_extra = build_scheme(
        municipality, service=make_service(municipality, slug="tilleggstjenester"), adopt=True
    )
    scheme_extra.supplementary_services = True
    scheme_extra.save(update_fields=["supplementary_services"])
    choice_providers.apply(scheme_extra, user=SYSTEM, provider=own)
    member = ProviderMember.objects.create(provider=own, user=make_staff(Role.PROVIDER, municipality))
    submitted = apply_public(scheme_adopted, orgnr=ORGNRS[1], name="Annen AS", documents=[sample_pdf()])
    other_provider = submitted.provider
    supplementary = SupplementaryService.objects.create(provider=own, name="Vindusvask")
    supplementary_other = SupplementaryService.objects.create(provider=other_provider, name="Hagearbeid")
    outbox = OutboxMessage.objects.create(
        municipality=municipality, channel="email", key="walk-1", recipients=["ola@example.no"], body="Svar"
    )
    objects = {
        "-": {},
        "csv": {"fmt": "csv"},
        "service.unit": {"pk": service.pk},
        "service.health": {"pk": health_service.pk},
        "version.unit": {"pk": service.pk, "version": 1},
        "area": {"pk": service.area_id},
        "i.desk": {"pk": desk_inquiry.pk},
        "i.unit": {"pk": unit_inquiry.pk},
        "i.health": {"pk": health_inquiry.pk},
        "compensation": {"pk": compensation.pk},
        "a.unit": {"pk": unit_inquiry.pk, "attachment_pk": attachments["unit"].pk},
        "a.health": {"pk": health_inquiry.pk, "attachment_pk": attachments["health"].pk},
        "s.unit": {"pk": surveys["unit"].pk},
        "s.health": {"pk": surveys["health"].pk},
        "q.unit": {"pk": surveys["unit"].pk, "question_pk": surveys["unit"].questions.get(code="q1").pk},
        "q.health": {
            "pk": surveys["health"].pk,
            "question_pk": surveys["health"].questions.get(code="q1").pk,
        },
        "text.unit": {
            "pk": surveys["unit"].pk,
            "question_pk": surveys["unit"].questions.get(code="bedre").pk,
        },
        "indicator": {"pk": indicator.pk},
        "value": {"pk": value.pk},
        "owndata.muni": {"municipality_pk": municipality.pk},
        "region": {
            "code": Region.objects.get_or_create(code="EAK", defaults={"name": "Landet", "kind": "country"})[
                0
            ].code
        },
        "owndata.figure": {"code": "henvendelser-antall"},
        "strategy": {"pk": strategy.pk},
        "goal": {"pk": strategy.pk, "goal_pk": goal.pk},
        "link": {"pk": strategy.pk, "link_pk": link.pk},
        "item": {"pk": strategy.pk, "kind": "mal", "item_pk": goal.pk},
        "measure": {"pk": strategy.pk, "measure_pk": measure.pk},
        "comment": {"pk": strategy.pk, "comment_pk": comment.pk},
        "report": {"pk": report.pk},
        "outbox": {"pk": outbox.pk},
        "scheme.draft": {"pk": scheme_draft.pk},
        "scheme.adopted": {"pk": scheme_adopted.pk},
        "d.unit": {"pk": d_unit.pk},
        "d.health": {"pk": d_health.pk},
        "c.unit": {"pk": d_unit.pk, "choice_pk": c_unit.pk},
        "provider": {"provider_pk": own.pk},
        "application": {"pk": application.pk},
        "prov.own": {"pk": own.pk},
        "prov.other": {"pk": other_provider.pk},
        "member": {"pk": own.pk, "member_pk": member.pk},
        "app.submitted": {"pk": submitted.pk},
        "document": {"pk": submitted.pk, "document_pk": submitted.documents.get().pk},
        "supp": {"pk": own.pk, "item_pk": supplementary.pk},
        "supp.other": {"pk": other_provider.pk, "item_pk": supplementary_other.pk},
    }
    settings.ACCEPT_SYNTHETIC_NATIONAL_IDS = True
    objects.update(walk_objects(scheme_adopted, users["provider"]))  # visits and settlement
    objects.update(school_walk_objects(municipality))
    objects.update(servicetest_walk_objects(other, municipality))
    objects.update(ranking_walk_objects(municipality))
    objects.update(compare_walk_objects(municipality))
    return users, objects


def compare_walk_objects(municipality) -> dict:
    """A saved peer group of the municipality, and its code in the register."""
    from servicetorg.benchmarking.compare.models import SavedPeerGroup
    from servicetorg.benchmarking.models import Region

    Region.objects.get_or_create(
        code=municipality.number,
        defaults={"name": municipality.name, "kind": "municipality", "fictional": True},
    )
    group = SavedPeerGroup.objects.create(
        municipality=municipality, name="Naboer", codes=[municipality.number]
    )
    return {"peergroup": {"pk": group.pk}, "region": {"code": municipality.number}}


def school_walk_objects(municipality) -> dict:
    """A round allocated (two applications, a run), a school, an appeal and a budget model."""
    alfa = schools.school(municipality, "Alfa skole")
    beta = schools.school(municipality, "Beta skole", lat="59.0600")
    home = schools.address(municipality, "Alfaveien 1", alfa)
    round_ = schools.school_round(municipality, {alfa: 1, beta: 1})
    first = schools.application(round_, home, [alfa, beta])
    schools.application(round_, home, [alfa])
    run = school_allocate.run_main(round_, user=SYSTEM)
    appeal = Appeal.objects.create(application=first, text="Vi ønsker Alfa.")
    budget = BudgetModel.objects.create(
        municipality=municipality,
        school_year=2027,
        rate_primary=60000,
        rate_secondary=70000,
        base_grant=1,
        common_costs=1,
    )
    return {
        "round": {"pk": round_.pk},
        "round.publish": {"pk": round_.pk, "action": "publiser"},
        "sround": {"round_pk": round_.pk},
        "sapp": {"round_pk": round_.pk, "pk": first.pk},
        "run": {"pk": run.pk},
        "school": {"pk": alfa.pk},
        "appeal": {"pk": appeal.pk},
        "budget": {"pk": budget.pk},
    }


def _kwargs(name: str, objects: dict, key: str) -> dict:
    kwargs = dict(objects[key])
    if name == "inquiries:act":
        kwargs["action"] = "take"
    if name == "privacy:personal-data-record":
        kwargs["holding"] = "inquiries.inquiry"
    return kwargs


def _outcome(response, is_api: bool) -> str:
    code = response.status_code
    if code == 302 and "/logg-inn/" in response.get("Location", ""):
        return "l"
    if code == 401:
        return "l"
    if code == 403:
        return "n"
    if code == 404:
        return "h"
    if code < 400 or code in (400, 405, 415, 422):
        return "y"
    return f"?{code}"


@pytest.mark.parametrize("role", ROLES)
def test_walk(client, world, role):
    users, objects = world
    user = users[role]
    if user is not None:
        client.force_login(user)
    column = ROLES.index(role)
    wrong = []
    order = sorted(EXPECTED, key=lambda k: (k[2] == "post", "delete" in k[0], k[0]))
    for name, key, method in order:
        url = reverse(name, kwargs=_kwargs(name, objects, key))
        is_api = name.split(":")[0].endswith("_api")
        if method == "get":
            response = client.get(url)
        elif method == "put":
            response = client.put(url, {}, content_type="application/json")
        elif is_api:
            response = client.post(url, {}, content_type="application/json")
        else:
            response = client.post(url, {})
        got = _outcome(response, is_api)
        expected = EXPECTED[(name, key, method)][column]
        if role == "anon" and expected == "l" and got == "n" and is_api:
            got = "l"  # DRF answers an anonymous session request with 403
        if got != expected:
            wrong.append(f"{name} [{key}] {method}: expected {expected}, got {got} ({response.status_code})")
    assert not wrong, "\n".join([f"{role}:", *wrong])
