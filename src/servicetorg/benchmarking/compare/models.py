"""Models of benchmarking's compare part (imported by benchmarking/models.py)."""
