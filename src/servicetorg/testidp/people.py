"""The demo persons of the test identity provider's sign-in page.

Synthetic numbers (month + 80, both control digits right; ``synthetic.is_synthetic_national_id``).
Apps must not import this package (an import-linter contract), so these are copies of the demo
citizens' numbers in ``servicetorg/citizens/demo.py`` and ``choice/schools/demo.py`` (the same people on
Min side): change both.
"""

DEMO_PEOPLE: tuple[tuple[str, str], ...] = (
    ("Kari Nordmann", "14838540024"),  # born 14 March 1985; guardian of Emma in the demo
    ("Ola Nordmann", "02878341069"),  # born 2 July 1983; relative of Ingrid Hansen
    ("Ingrid Hansen", "30915020093"),  # born 30 November 1950
    # born 9 June 1988; guardian of Lea (placed in the 1st-grade round) and Magnus (who may apply in
    # the open 8th-grade round) in the school-choice demo (servicetorg/choice/schools/demo.py)
    ("Marte Fjeld", "09868810073"),
)
