"""Models of benchmarking's owndata part (imported by benchmarking/models.py)."""
