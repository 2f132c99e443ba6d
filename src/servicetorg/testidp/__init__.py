"""TestID: the local test identity provider that stands in for ID-porten in development and tests.

Plain Python (Flask, oidc-provider-mock), not a Django app, and never loaded by production code (an
import-linter contract). ``make run`` starts it with ``python -m servicetorg.testidp``; tests use
``run_in_thread``. See docs/development.md.
"""

from servicetorg.core.synthetic_ids import is_synthetic_national_id

from .app import make_app
from .people import DEMO_PEOPLE
from .server import run_in_thread

__all__ = ["DEMO_PEOPLE", "is_synthetic_national_id", "make_app", "run_in_thread"]
