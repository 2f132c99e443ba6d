"""tools/check_changelog.py (run by .ci/run): which commits need a CHANGELOG line."""

from tools.check_changelog import missing, user_visible

TEMPLATE = "src/servicetorg/inquiries/templates/inquiries/contact.html"


def test_what_a_user_sees():
    assert user_visible(TEMPLATE)
    assert user_visible("src/servicetorg/privacy/views.py")
    assert user_visible("src/servicetorg/surveys/locale/nn/LC_MESSAGES/django.po")
    assert user_visible("src/servicetorg/urls.py")
    assert not user_visible("src/servicetorg/inquiries/services/intake.py")
    assert not user_visible("src/servicetorg/static/vendor/htmx.min.js")
    assert not user_visible("tests/browser/test_attachments.py")


def test_a_visible_change_needs_a_line_an_exemption_or_a_later_repair():
    commits = [
        ("a" * 40, "Contact form: a new field", [TEMPLATE]),
        ("b" * 40, "Contact form: the label\n\nChangelog: none — a typo in a comment", [TEMPLATE]),
        ("c" * 40, "Services: faster intake", ["src/servicetorg/inquiries/services/intake.py"]),
        ("d" * 40, "Receipt: the promised date", [TEMPLATE, "CHANGELOG.md"]),
        ("e" * 40, "Dashboard: a column", ["src/servicetorg/inquiries/views.py"]),
    ]
    assert [sha[0] for sha, *_ in missing(commits)] == ["a", "e"]
    repair = ("f" * 40, "Changelog for aaaaaaa, eeeeeee", ["CHANGELOG.md"])
    assert missing([*commits, repair]) == []
    unrelated = ("f" * 40, "Changelog for aaaaaaa", ["README.md"])  # names it but adds no line
    assert [sha[0] for sha, *_ in missing([*commits, unrelated])] == ["a", "e"]
