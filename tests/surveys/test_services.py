"""Building, answering, anonymity, import and publishing of surveys, through services.py."""

import datetime

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from scipy import stats as sps

from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.surveys import selectors, services
from servicetorg.surveys.models import (
    Answer,
    Invitation,
    Question,
    QuestionKind,
    Response,
    ResponseDraft,
    SurveyAccess,
)
from tests.factories import UnitFactory, make_service

from .conftest import answer, close, make_survey, today


def test_template_files_load(municipality):
    keys = {t["key"] for t in services.available_templates()}
    assert {"kvalitetsforbedring_1999", "servicetorg_brukerundersokelse"} <= keys
    seed = services.create_from_template(
        "kvalitetsforbedring_1999",
        municipality=municipality,
        opens_on=today(),
        closes_on=today(),
        user=SYSTEM,
    )
    codes = set(seed.questions.values_list("code", flat=True))
    # Every numbered question of seed 002's questionnaire (1–34) is there.
    for n in range(1, 35):
        assert any(
            c == f"q{n}" or c.startswith(f"q{n}_") or c[len(f"q{n}") :].isalpha() and c.startswith(f"q{n}")
            for c in codes
        ), n
    q1 = seed.questions.get(code="q1")
    assert [o.label for o in q1.options.all()] == [
        "Svært aktiv",
        "Aktiv",
        "Noe aktiv",
        "Lite aktiv",
        "Vet ikke",
    ]
    assert q1.options.get(label="Vet ikke").value == 9 and q1.options.get(label="Vet ikke").excluded
    assert seed.questions.get(code="q30a").options.get(excluded=True).value == 5  # as coded in 002
    assert seed.sections.count() == 10


def test_service_desk_template_gets_services_and_units(municipality):
    make_service(municipality, slug="a", name="Byggesak")
    make_service(municipality, slug="b", name="Barnehageplass")
    survey = services.create_from_template(
        "servicetorg_brukerundersokelse",
        municipality=municipality,
        opens_on=today(),
        closes_on=today(),
        user=SYSTEM,
    )
    used = survey.questions.get(code="tjeneste")
    assert used.background == "service"
    assert sorted(o.label for o in used.options.all()) == ["Barnehageplass", "Byggesak"]
    assert {s.title for s in survey.sections.all()} >= {
        "Tilgjengelighet",
        "Service",
        "Informasjon",
        "Helhetsinntrykk",
    }


def test_unknown_template_is_refused(municipality):
    with pytest.raises(ValidationError):
        services.create_from_template(
            "../settings", municipality=municipality, opens_on=today(), closes_on=today(), user=SYSTEM
        )


def test_target_must_belong_to_the_municipality(municipality, other_municipality):
    foreign_unit = UnitFactory(municipality=other_municipality)
    with pytest.raises(ValidationError) as err:
        services.create_survey(
            municipality=municipality,
            title="x",
            opens_on=today(),
            closes_on=today(),
            unit=foreign_unit,
            user=SYSTEM,
        )
    assert "unit" in err.value.message_dict


def test_closing_before_opening_refused(municipality):
    with pytest.raises(ValidationError) as err:
        services.create_survey(
            municipality=municipality,
            title="x",
            opens_on=today(),
            closes_on=today() - datetime.timedelta(days=1),
            user=SYSTEM,
        )
    assert "closes_on" in err.value.message_dict


def test_choice_question_needs_two_options(survey):
    with pytest.raises(ValidationError) as err:
        services.add_question(
            survey, kind=QuestionKind.SINGLE_CHOICE, text="?", options=["Bare én"], user=SYSTEM
        )
    assert "options" in err.value.message_dict


def test_answer_stores_values_and_dont_know_outside_scale(survey):
    response = answer(
        survey,
        {
            "q1": "5",
            "q2": "9",
            "kjonn": "2",
            "kontakter": "3,5",
            "kanal": ["1", "3"],
            "bedre": "Lengre åpningstid",
        },
    )
    rows = {(a.question.code, a.option.value if a.option else None): a for a in response.answers.all()}
    assert rows[("q1", 5)].value == 5.0
    assert rows[("q2", 9)].value is None  # "vet ikke" takes no value
    assert rows[("kontakter", None)].value == 3.5
    assert {k for k in rows if k[0] == "kanal"} == {("kanal", 1), ("kanal", 3)}
    assert rows[("bedre", None)].text == "Lengre åpningstid"
    assert not ResponseDraft.objects.exists()


def test_missing_required_and_out_of_range_keep_what_was_answered(survey):
    resume, key = services.start_open(survey, user=CITIZEN)
    with pytest.raises(ValidationError) as err:
        services.submit(survey, key, {"q2": "4", "kontakter": "400", "kjonn": "7"}, user=CITIZEN)
    messages = err.value.message_dict
    assert "q1" in messages and "må besvares" in messages["q1"][0]
    assert "høyst 365" in messages["kontakter"][0]
    assert "er ikke et av svaralternativene" in messages["kjonn"][0]
    assert Response.objects.count() == 0
    # What was valid is kept and can be resumed with the key shown to the respondent.
    key_again = services.resume_open(survey, resume)
    assert key_again == key
    assert services.draft_data(survey, key) == {"q2": "4"}
    services.submit(survey, key, {"q1": "6", "q2": "4"}, user=CITIZEN)
    assert Response.objects.count() == 1


def test_wrong_resume_key(survey):
    with pytest.raises(ValidationError) as err:
        services.resume_open(survey, "NOPE-NOPE")
    assert "resume_key" in err.value.message_dict


def test_single_choice_takes_one_and_dont_know_alone(survey):
    _r, key = services.start_open(survey, user=CITIZEN)
    with pytest.raises(ValidationError) as err:
        services.submit(survey, key, {"q1": ["1", "2"], "kanal": ["1", "9"]}, user=CITIZEN)
    assert "bare ett" in err.value.message_dict["q1"][0]
    assert "kan ikke kombineres" in err.value.message_dict["kanal"][0]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"state": "closed"}, "er avsluttet"),
        ({"state": "draft"}, "ikke åpen"),
        ({"closes_on": "past"}, "stengte"),
        ({"opens_on": "future"}, "åpner"),
    ],
)
def test_survey_not_open_refuses_answers(municipality, change, message):
    survey = make_survey(municipality)
    if change.get("closes_on"):
        survey.opens_on = today() - datetime.timedelta(days=20)
        survey.closes_on = today() - datetime.timedelta(days=1)
    if change.get("opens_on"):
        survey.opens_on = today() + datetime.timedelta(days=1)
        survey.closes_on = today() + datetime.timedelta(days=5)
    if change.get("state"):
        survey.state = change["state"]
    survey.save()
    with pytest.raises(ValidationError) as err:
        services.start_open(survey, user=CITIZEN)
    assert message in err.value.messages[0]


def test_invitation_codes_hashed_one_answer_per_code_not_linked(municipality):
    survey = make_survey(municipality, access=SurveyAccess.INVITATION)
    codes = services.create_invitations(survey, 3, user=SYSTEM)
    assert len(set(codes)) == 3
    stored = list(Invitation.objects.values_list("code_hash", flat=True))
    assert all(services.normalise_code(c) not in "".join(stored) for c in codes)
    key = services.start_with_code(survey, codes[0].lower(), user=CITIZEN)  # typed in lower case still works
    services.save_draft(survey, key, {"q2": "3"}, user=CITIZEN)
    # Resuming with the same code finds the half-finished answer.
    assert services.draft_data(survey, services.start_with_code(survey, codes[0], user=CITIZEN)) == {
        "q2": "3"
    }
    response = services.submit(survey, key, {"q1": "4", "q2": "3"}, user=CITIZEN)
    # The response keeps no trace of the code: no field refers to it, and the draft is gone.
    field_names = {f.name for f in Response._meta.get_fields()}
    assert not field_names & {"invitation", "code", "code_hash", "key_hash"}
    assert not ResponseDraft.objects.filter(survey=survey).exists()
    assert response.submitted_on == today()
    assert Invitation.objects.filter(used=True).count() == 1
    with pytest.raises(ValidationError) as err:
        services.start_with_code(survey, codes[0], user=CITIZEN)
    used = err.value.message_dict["code"][0]
    with pytest.raises(ValidationError) as err:
        services.start_with_code(survey, "AAAAA-BBBBB", user=CITIZEN)
    # One message for a used and an unknown code: trying codes tells nobody who has answered.
    assert err.value.message_dict["code"][0] == used


def test_used_code_cannot_submit_twice(municipality):
    survey = make_survey(municipality, access=SurveyAccess.INVITATION)
    [code] = services.create_invitations(survey, 1, user=SYSTEM)
    key = services.start_with_code(survey, code, user=CITIZEN)
    services.submit(survey, key, {"q1": "4"}, user=CITIZEN)
    with pytest.raises(ValidationError) as err:
        services.submit(survey, key, {"q1": "2"}, user=CITIZEN)
    assert "kan ikke brukes" in err.value.messages[0]
    assert Response.objects.count() == 1


def test_open_link_survey_refuses_code_start(survey):
    with pytest.raises(ValidationError):
        services.start_with_code(survey, "ABCDE-FGHIJ", user=CITIZEN)


def _fill(survey, rng, n):
    data = []
    for _ in range(n):
        q1 = int(rng.integers(1, 7))
        q2 = int(np.clip(q1 + rng.integers(-1, 2), 1, 6)) if rng.random() > 0.1 else 9
        row = {
            "q1": str(q1),
            "q2": str(q2),
            "kjonn": str(int(rng.integers(1, 3))),
            "kontakter": str(int(rng.integers(0, 20))),
            "kanal": [str(int(rng.integers(1, 4)))],
        }
        answer(survey, row)
        data.append(row)
    return data


def test_results_match_numpy(survey):
    rng = np.random.default_rng(7)
    data = _fill(survey, rng, 60)
    results = selectors.survey_results(survey)
    assert results.responses == 60 and not results.suppressed
    by_code = {r.question.code: r for r in results.questions}
    q1 = np.array([int(r["q1"]) for r in data], dtype=float)
    assert by_code["q1"].summary.mean == pytest.approx(q1.mean())
    assert by_code["q1"].summary.sd == pytest.approx(q1.std(ddof=1))
    low, high = sps.t.interval(0.95, len(q1) - 1, loc=q1.mean(), scale=sps.sem(q1))
    assert by_code["q1"].summary.ci_low == pytest.approx(low)
    assert by_code["q1"].summary.ci_high == pytest.approx(high)
    counts = {row.key: row.count for row in by_code["q1"].table.rows}
    for value in range(1, 7):
        assert counts[value] == int((q1 == value).sum())
    q2 = [int(r["q2"]) for r in data]
    table2 = by_code["q2"].table
    assert table2.excluded == q2.count(9)
    assert table2.valid == len(q2) - q2.count(9)
    assert by_code["q2"].summary.n == table2.valid  # "vet ikke" is not in the mean
    kontakter = np.array([float(r["kontakter"]) for r in data])
    assert by_code["kontakter"].summary.mean == pytest.approx(kontakter.mean())


def test_correlations_match_scipy(survey):
    rng = np.random.default_rng(11)
    data = _fill(survey, rng, 40)
    questions, matrix = selectors.correlations(survey)
    codes = {q.code: q.pk for q in questions}
    assert set(codes) == {"q1", "q2", "kontakter"}
    pairs = [(int(r["q1"]), int(r["q2"])) for r in data if r["q2"] != "9"]
    expected = sps.pearsonr([a for a, _ in pairs], [b for _, b in pairs])
    got = matrix[(codes["q1"], codes["q2"])]
    assert got.n == len(pairs)
    assert got.r == pytest.approx(expected.statistic)
    assert got.p_value == pytest.approx(expected.pvalue, rel=1e-6)


def test_crosstab_and_means_by_group_hide_small_groups(survey):
    for _ in range(6):
        answer(survey, {"q1": "6", "kjonn": "1"})
    for _ in range(3):
        answer(survey, {"q1": "2", "kjonn": "2"})
    for _ in range(5):
        answer(survey, {"q1": "4"})  # no answer to the background question: "the rest" holds 5
    close(survey)  # all 14 counted (live, the last four would wait for the pool)
    q1 = survey.questions.get(code="q1")
    kjonn = survey.questions.get(code="kjonn")
    table = selectors.crosstab(q1, kjonn)
    assert table.column_labels == ["Mann"] and table.suppressed == ["Kvinne"]
    assert table.cells[5] == [6]
    _qs, labels, cells = selectors.means_by_group(survey, kjonn)
    assert cells[(q1.pk, "Mann")].summary.mean == 6
    assert cells[(q1.pk, "Kvinne")].suppressed and cells[(q1.pk, "Kvinne")].summary is None


def test_a_small_rest_hides_the_next_group_too(survey):
    """Kvinne (3) hidden alone would be the whole survey minus Mann: Mann goes too."""
    for _ in range(6):
        answer(survey, {"q1": "6", "kjonn": "1"})
    for _ in range(3):
        answer(survey, {"q1": "2", "kjonn": "2"})
    close(survey)  # all nine counted
    q1 = survey.questions.get(code="q1")
    kjonn = survey.questions.get(code="kjonn")
    table = selectors.crosstab(q1, kjonn)
    assert table.column_labels == [] and sorted(table.suppressed) == ["Kvinne", "Mann"]
    _qs, labels, cells = selectors.means_by_group(survey, kjonn)
    assert cells[(q1.pk, "Mann")].suppressed and cells[(q1.pk, "Kvinne")].suppressed


def test_results_below_threshold_are_suppressed(survey):
    for _ in range(4):
        answer(survey, {"q1": "3", "bedre": "Hei"})
    results = selectors.survey_results(survey)
    assert results.suppressed
    assert all(r.suppressed for r in results.questions)
    assert selectors.free_texts(survey.questions.get(code="bedre")) is None
    answer(survey, {"q1": "3", "bedre": "Mer info"})
    assert sorted(selectors.free_texts(survey.questions.get(code="bedre"))) == ["Hei"] * 4 + ["Mer info"]


def test_compare_with_previous_round(municipality):
    old = make_survey(municipality, title="2025")
    new = make_survey(municipality, title="2026", previous_round=old)
    for v in [3, 4, 3, 4, 3, 4]:
        answer(old, {"q1": str(v)})
    for v in [5, 6, 5, 6, 5, 6]:
        answer(new, {"q1": str(v)})
    close(old)
    close(new)  # both rounds with all their answers (live, the sixth would wait)
    rows = {r.code: r for r in selectors.compare_rounds(new)}
    assert rows["q1"].difference == pytest.approx(2.0)
    expected = sps.ttest_ind([5, 6] * 3, [3, 4] * 3, equal_var=False).pvalue
    assert rows["q1"].p_value == pytest.approx(expected)
    assert rows["q2"].current is None  # nobody answered: nothing shown


CSV_OK = "q1;q2;kjonn;kontakter;kanal;bedre\n5;9;1;2;1;2;Fint\n"


def test_import_csv_reports_every_bad_row_and_imports_nothing(survey):
    content = (
        "q1;q2;kjonn;kontakter;kanal;bedre\n"
        "5;9;1;2;1;Fint\n"
        ";4;1;2;1;\n"  # line 3: q1 required
        "7;4;1;2;1;\n"  # line 4: out of range
        "4;4;1;tre;1;\n"  # line 5: not a number
        "4;4;1;2;1;3;\n"  # line 6: kanal ok? (no: extra cell)
        "6;5;2;1;2;Bra\n"
    )
    report = services.import_responses_csv(survey, content.encode(), user=SYSTEM)
    lines = [line for line, _m in report.errors]
    assert lines == [3, 4, 5, 6]
    assert "q1" in report.errors[0][1] and "kontakter" in report.errors[2][1]
    assert report.imported == 0 and Response.objects.count() == 0
    report = services.import_responses_csv(survey, content, skip_bad_rows=True, user=SYSTEM)
    assert report.imported == 2
    assert Response.objects.filter(source="import").count() == 2
    assert Answer.objects.filter(question__code="kanal").count() == 2


def test_import_csv_unknown_columns_and_empty(survey):
    report = services.import_responses_csv(survey, "q1;nope\n1;2\n", user=SYSTEM)
    assert report.errors[0][0] == 1 and "nope" in report.errors[0][1]
    assert services.import_responses_csv(survey, "", user=SYSTEM).errors[0][0] == 1
    assert services.import_responses_csv(survey, b"\xff\xfe\x00", user=SYSTEM).errors


def test_import_multiple_choice_and_date(survey):
    report = services.import_responses_csv(survey, "q1,kanal,submitted_on\n4,1;2,2025-03-01\n", user=SYSTEM)
    assert report.ok and report.imported == 1
    response = Response.objects.get()
    assert response.submitted_on == datetime.date(2025, 3, 1)
    assert sorted(
        response.answers.filter(question__code="kanal").values_list("option__value", flat=True)
    ) == [1, 2]


def test_delete_question_with_answers_refused(survey):
    answer(survey, {"q1": "4"})
    with pytest.raises(ValidationError):
        services.delete_question(survey.questions.get(code="q1"), user=SYSTEM)
    services.delete_question(survey.questions.get(code="bedre"), user=SYSTEM)
    assert not Question.objects.filter(code="bedre").exists()


def test_publish_needs_questions(municipality):
    survey = services.create_survey(
        municipality=municipality, title="Tom", opens_on=today(), closes_on=today(), user=SYSTEM
    )
    with pytest.raises(ValidationError):
        services.publish(survey, user=SYSTEM)


def test_messages_in_norwegian_and_english(survey):
    from django.utils import translation

    _r, key = services.start_open(survey, user=CITIZEN)
    for language, expected in (
        ("nb", "Dette spørsmålet må besvares."),
        ("en", "This question must be answered."),
    ):
        with translation.override(language), pytest.raises(ValidationError) as err:
            services.submit(survey, key, {}, user=CITIZEN)
        assert err.value.message_dict["q1"] == [expected]


def test_correlations_of_a_large_questionnaire(municipality):
    """Seed 002's questionnaire (over 100 scale questions): pairs answered match scipy."""
    survey = services.create_from_template(
        "kvalitetsforbedring_1999",
        municipality=municipality,
        opens_on=today(),
        closes_on=today(),
        user=SYSTEM,
    )
    services.publish(survey, user=SYSTEM)
    rng = np.random.default_rng(3)
    codes = ["q1", "q5a", "q5b", "q6", "q33"]
    data = []
    for _ in range(12):
        row = {
            "q1": str(rng.integers(1, 5)),
            "q5a": str(rng.integers(1, 5)),
            "q5b": str(rng.integers(1, 5)),
            "q6": str(rng.integers(1, 5)),
            "q33": str(rng.integers(20, 70)),
        }
        answer(survey, row)
        data.append(row)
    close(survey)  # all twelve counted (live, ten: two wait for the pool)
    questions, matrix = selectors.correlations(survey)
    by_code = {q.code: q.pk for q in questions}
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            x = [float(r[a]) for r in data]
            y = [float(r[b]) for r in data]
            got = matrix[(by_code[a], by_code[b])]
            assert got.n == 12
            assert got.r == pytest.approx(sps.pearsonr(x, y).statistic)


def test_compare_surveys_between_units(municipality):
    unit_a = UnitFactory(municipality=municipality, name="Servicetorget")
    unit_b = UnitFactory(municipality=municipality, name="Byggesak")
    unit_c = UnitFactory(municipality=municipality, name="Liten enhet")
    a = make_survey(municipality, title="A", unit=unit_a)
    b = make_survey(municipality, title="B", unit=unit_b)
    c = make_survey(municipality, title="C", unit=unit_c)
    for v in [6, 5, 6, 5, 6]:
        answer(a, {"q1": str(v)})
    for v in [2, 3, 2, 3, 2, 9]:
        answer(b, {"q1": str(v)})
    answer(c, {"q1": "1"})
    for each in (a, b, c):  # the year's surveys, compared when closed (live, b's sixth would wait)
        close(each)
    shared, columns, cells = selectors.compare_surveys(a)
    assert [code for code, _t in shared] == ["q1"]
    assert [col.label for col in columns] == ["Servicetorget", "Byggesak", "Liten enhet"]
    assert cells[("q1", a.pk)].mean == pytest.approx(5.6)
    assert (
        cells[("q1", b.pk)].mean == pytest.approx(2.4) and cells[("q1", b.pk)].n == 5
    )  # "vet ikke" left out
    assert cells[("q1", c.pk)] is None  # one answer: under the threshold


def test_purge_drafts_task(municipality, survey):
    from django.utils import timezone

    from servicetorg.surveys.tasks import purge_drafts

    closed = make_survey(municipality, title="Stengt")
    _r, key_open = services.start_open(survey, user=CITIZEN)
    services.save_draft(survey, key_open, {"q1": "2"}, user=CITIZEN)
    _r, key_closed = services.start_open(closed, user=CITIZEN)
    services.save_draft(closed, key_closed, {"q1": "2"}, user=CITIZEN)
    _r, key_old = services.start_open(survey, user=CITIZEN)
    services.save_draft(survey, key_old, {"q1": "3"}, user=CITIZEN)
    ResponseDraft.objects.filter(key_hash=key_old).update(
        updated_at=timezone.now() - datetime.timedelta(days=31)
    )
    closed.state = "closed"
    closed.save()
    assert purge_drafts.delay().get() == 2
    assert list(ResponseDraft.objects.values_list("key_hash", flat=True)) == [key_open]


def test_import_never_raises_on_arbitrary_text(survey):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    cells = st.sampled_from(
        ["q1", "q2", "kanal", "kontakter", "submitted_on", "1", "9", "1|2", "x", "", "2026-13-01"]
    )
    lines = st.lists(st.lists(cells, max_size=6).map(";".join), max_size=6).map("\n".join)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(content=st.one_of(lines, st.text(max_size=200)), skip=st.booleans())
    def run(content, skip):
        before = Response.objects.count()
        report = services.import_responses_csv(survey, content, skip_bad_rows=skip, user=SYSTEM)
        assert all(isinstance(line, int) and message for line, message in report.errors)
        assert Response.objects.count() == before + report.imported
        if report.errors and not skip:
            assert report.imported == 0

    run()


def test_import_into_a_closed_survey_is_refused_and_logged(survey, django_user_model):
    """Issue 18 §2.9: answers could be imported into a closed survey, and imports were not logged."""
    from servicetorg.surveys.models import ImportLog

    services.close(survey, user=SYSTEM)
    survey.refresh_from_db()
    report = services.import_responses_csv(survey, CSV_OK, user=SYSTEM)
    assert report.imported == 0 and "avsluttet" in report.errors[0][1]
    assert Response.objects.filter(survey=survey).count() == 0
    entry = ImportLog.objects.get(survey=survey)
    assert entry.imported == 0 and entry.actor == "system" and "avsluttet" in entry.refused


def test_every_import_is_logged_with_who_how_many_and_the_file_digest(survey):
    import hashlib

    from servicetorg.surveys.models import ImportLog

    content = "q1;q2\n5;9\n6;5\n7;4\n"
    report = services.import_responses_csv(survey, content.encode(), skip_bad_rows=True, user=SYSTEM)
    assert report.imported == 2
    entry = ImportLog.objects.get(survey=survey)
    assert (entry.imported, entry.rejected, entry.actor) == (2, 1, "system")
    assert entry.sha256 == hashlib.sha256(content.encode()).hexdigest()
