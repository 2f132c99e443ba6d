"""What benchmarking publishes as open data (registered through ``BenchmarkingConfig.open_data``):
each part of the app adds its datasets and concepts here.

- Ranking (``ranking/open_data.py``): the municipality's published rankings, CSV and JSON.
"""

from .ranking import open_data as _ranking

DATASETS = [*_ranking.DATASETS]
CONCEPTS = [*_ranking.CONCEPTS]
