"""English as written in Europe ("3 December 2026", "03/12/2026", "14:05"), not Django's US default
("Dec. 3, 2026", "12/03/2026", "2:05 p.m."): readers of the English pages of a Norwegian municipality
are not in the US, and a 24-hour clock matches the rest of the platform. Numbers stay English
(12,345.6). Input formats are Django's ``en`` ones, so ISO dates (``<input type="date">``) come first.
"""

from django.conf.locale.en.formats import (  # noqa: F401
    DATE_INPUT_FORMATS,
    DATETIME_INPUT_FORMATS,
    DECIMAL_SEPARATOR,
    NUMBER_GROUPING,
    THOUSAND_SEPARATOR,
    TIME_INPUT_FORMATS,
)

DATE_FORMAT = "j F Y"  # 3 December 2026
TIME_FORMAT = "H:i"  # 14:05
DATETIME_FORMAT = "j F Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"  # 3 December
SHORT_DATE_FORMAT = "d/m/Y"  # 03/12/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
