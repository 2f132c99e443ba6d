"""Models of benchmarking's ranking part (imported by benchmarking/models.py)."""
