"""The roles matrix (core.permissions): actors, reach, and docs/security.md kept in step with it."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from servicetorg.core import permissions
from servicetorg.core.choices import Role
from servicetorg.core.permissions import CITIZEN, MATRIX, SYSTEM, Perm, Reach
from servicetorg.inquiries import services as inquiry_services
from tests.factories import UnitFactory, make_staff

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
COLUMNS = [Role.DESK_WORKER, Role.CASE_OFFICER, Role.UNIT_LEADER, Role.ADMINISTRATION, Role.ADMIN]
COLUMNS += [Role.COUNCIL, Role.PROVIDER, Role.SCHOOL_OFFICE, Role.TEST_COORDINATOR, Role.TESTER]
READ = [Perm.STAFF_PAGES, Perm.CATALOGUE_READ, Perm.SURVEY_READ, Perm.INDICATOR_READ, Perm.STRATEGY_READ]
LETTER = {Reach.MUNICIPALITY: "M", Reach.UNIT: "U", Reach.DESK: "D", Reach.PROVIDER: "P"}


def test_docs_roles_matrix_is_the_code():
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Roles matrix", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line][1:]
    documented = set()
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        codes = re.findall(r"`([a-z_.]+)`", cells[0])
        perms = [Perm(c) for c in codes] if codes else READ
        for perm in perms:
            documented.add(perm)
            for role, cell in zip(COLUMNS, cells[1:], strict=True):
                expected = LETTER[MATRIX[perm][role]] if role in MATRIX[perm] else "–"
                assert cell == expected, (perm, role, cell, expected)
    assert documented == set(Perm)


def test_none_is_not_an_actor(municipality):
    with pytest.raises(TypeError):
        permissions.can(None, Perm.STAFF_PAGES, municipality.pk)
    with pytest.raises(TypeError):
        inquiry_services.mark_breaches(user=None)


def test_system_and_citizen(municipality):
    assert permissions.can(SYSTEM, Perm.STRATEGY_EDIT, municipality.pk)
    assert permissions.user_of(SYSTEM) is None and permissions.user_of(CITIZEN) is None
    assert not permissions.can(CITIZEN, Perm.STAFF_PAGES, municipality.pk)
    assert permissions.municipality_ids(CITIZEN, Perm.INQUIRY_READ) == set()
    desk = make_staff(Role.DESK_WORKER, municipality)
    with pytest.raises(PermissionDenied):  # nightly work over every municipality: SYSTEM only
        inquiry_services.mark_breaches(user=desk)


def test_unit_bound_reach(municipality):
    unit, other = UnitFactory(municipality=municipality), UnitFactory(municipality=municipality)
    leader = make_staff(Role.UNIT_LEADER, municipality, unit)
    free_leader = make_staff(Role.UNIT_LEADER, municipality)
    assert permissions.can(leader, Perm.SURVEY_EDIT, municipality.pk, unit.pk)
    assert not permissions.can(leader, Perm.SURVEY_EDIT, municipality.pk, other.pk)
    assert not permissions.can(leader, Perm.SURVEY_EDIT, municipality.pk, None)
    assert permissions.can(leader, Perm.SURVEY_EDIT, municipality.pk, None, unit_bound=False)
    assert permissions.can(free_leader, Perm.SURVEY_EDIT, municipality.pk, other.pk)
    assert permissions.unit_ids(leader, Perm.SURVEY_EDIT, municipality.pk) == {unit.pk}
    assert permissions.municipality_wide_ids(leader, Perm.INDICATOR_EDIT) == set()
    assert permissions.municipality_wide_ids(free_leader, Perm.INDICATOR_EDIT) == {municipality.pk}
