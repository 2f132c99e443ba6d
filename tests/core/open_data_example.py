"""A module's open-data registration, as a future app (e.g. choice: school admissions) would write it."""

from servicetorg.core.opendata import Dataset, Distribution


def _csv(municipality, base_url):
    return "skole,plasser\nFjordvik skole,60\n"


DATASETS = [
    Dataset(
        key="skoleopptak",
        title={"nb": "Skoleopptak", "en": "School admissions"},
        description={"nb": "Plasser og inntakstall per skole.", "en": "Places and admissions per school."},
        distributions=(
            Distribution(
                filename="skoleopptak.csv",
                title={"nb": "Skoleopptak (CSV)"},
                media_type="text/csv",
                file_type="CSV",
                render=_csv,
            ),
        ),
        themes=("EDUC",),
        concepts=("indikator",),
    )
]
