"""The round's lottery: a seed committed before the run and revealed after, and numbers anyone can
recompute from it.

When applications close, a random seed (64 hex digits) is drawn and only its SHA-256 is published.
After the run the seed itself is published; the published hash proves it was not changed to suit
anyone. Lottery numbers are then a pure function of the seed and the applications in id order:

* one number per applicant (the default): a random permutation of 1…n drawn by numpy's PCG64 from
  the first 8 bytes of SHA-256(``seed + ":all"``);
* one number per applicant *at each school* (the option): the same with SHA-256(``seed + ":" +
  school id``), one permutation per school.

Number 1 is drawn first (best). The same seed gives the same numbers and so the same result.
"""

from __future__ import annotations

import hashlib
import secrets

import numpy as np


def new_seed() -> str:
    return secrets.token_hex(32)


def seed_hash(seed: str) -> str:
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def _permutation(seed: str, salt: str, n: int) -> np.ndarray:
    digest = hashlib.sha256(f"{seed}:{salt}".encode("ascii")).digest()
    rng = np.random.Generator(np.random.PCG64(int.from_bytes(digest[:8], "big")))
    return rng.permutation(n).astype(np.int64) + 1


def single(seed: str, n: int) -> np.ndarray:
    """One lottery number (1…n) for each of the n applications in id order."""
    return _permutation(seed, "all", n)


def per_school(seed: str, n: int, school_ids: list[int]) -> np.ndarray:
    """An (n, m) array: each application's number at each school (columns in ``school_ids`` order)."""
    if not school_ids:
        return np.zeros((n, 0), dtype=np.int64)
    return np.stack([_permutation(seed, str(school_id), n) for school_id in school_ids], axis=1)
