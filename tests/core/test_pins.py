"""Everything installed is pinned (ADR 0010): pip by requirements-pip.lock, the build backend by
pyproject.toml's build-system at the version requirements.lock installs (`make install` builds the
project with --no-build-isolation, so the two must agree)."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _locked(lock: str, package: str) -> str:
    found = re.findall(rf"^{package}==(\S+) \\", (ROOT / lock).read_text(), flags=re.M)
    assert len(found) == 1, f"{package} pinned once in {lock}"
    return found[0]


def test_the_build_backend_is_pinned_at_the_locked_version():
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]
    assert requires == [f"setuptools=={_locked('requirements.lock', 'setuptools')}"]


def test_pip_is_pinned_with_hashes_and_make_installs_that_version():
    version = _locked("requirements-pip.lock", "pip")
    assert "--hash=sha256:" in (ROOT / "requirements-pip.lock").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert f"PIP_VERSION := {version}\n" in makefile
    assert "--upgrade pip" not in makefile and "-r $(PIP_LOCK)" in makefile
