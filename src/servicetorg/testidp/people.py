"""The demo persons of the test identity provider's sign-in page.

Synthetic numbers (month + 80, both control digits right; ``synthetic.is_synthetic_national_id``).
Apps must not import this package (an import-linter contract): demo data that needs the same people
keeps its own copy of these numbers.
"""

DEMO_PEOPLE: tuple[tuple[str, str], ...] = (
    ("Kari Nordmann", "03848510288"),  # born 3 April 1985
    ("Ola Nordmann", "12889010132"),  # born 12 August 1990
    ("Ingrid Hansen", "25837210227"),  # born 25 March 1972
)
