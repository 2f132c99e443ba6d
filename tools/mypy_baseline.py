"""mypy with a baseline that may only shrink.

    .venv/bin/python tools/mypy_baseline.py          # CI: fails on any error not in the baseline,
                                                     #     and on baseline entries that are fixed
    .venv/bin/python tools/mypy_baseline.py --write  # after fixing errors: shrink the baseline

The baseline (mypy-baseline.txt) lists today's errors as "file: message [code]", without line
numbers, so that edits elsewhere in a file do not disturb it. A new error fails; so does a fixed
one that is still listed, so the file is rewritten (and shrinks) with the fix. ``--write`` refuses
to add entries: new errors are fixed, or silenced where they are with a ``# type: ignore[code]``
and a reason.
"""

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "mypy-baseline.txt"
LINE = re.compile(r"^(?P<file>[^:]+):\d+(?::\d+)?: error: (?P<message>.*)$")


def current_errors() -> tuple[Counter, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # settings: the SQLite default
    env["SERVICETORG_DEV"] = "1"  # the django-stubs plugin loads the settings: development's
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-color-output", "--no-error-summary"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if run.returncode not in (0, 1) or "INTERNAL ERROR" in run.stderr:
        sys.exit(f"mypy failed to run:\n{run.stdout}\n{run.stderr}")
    errors = Counter()
    for line in run.stdout.splitlines():
        if match := LINE.match(line):
            errors[f"{match['file']}: {match['message']}"] += 1
    return errors, run.stdout


def read_baseline() -> Counter:
    if not BASELINE.exists():
        return Counter()
    return Counter(line for line in BASELINE.read_text(encoding="utf-8").splitlines() if line.strip())


def main() -> int:
    errors, output = current_errors()
    baseline = read_baseline()
    new = errors - baseline
    fixed = baseline - errors
    if "--write" in sys.argv:
        if new and BASELINE.exists():  # the first baseline is written once, from today's errors
            print("Not writing: the baseline only shrinks. New errors:\n" + "\n".join(sorted(new.elements())))
            return 1
        BASELINE.write_text("".join(f"{e}\n" for e in sorted(errors.elements())), encoding="utf-8")
        print(f"mypy-baseline.txt: {sum(errors.values())} errors (was {sum(baseline.values())}).")
        return 0
    if new:
        print("mypy: errors not in the baseline (fix them):")
        for line in output.splitlines():
            match = LINE.match(line)
            if match and f"{match['file']}: {match['message']}" in new:
                print(f"  {line}")
    if fixed:
        print("mypy: fixed, still in the baseline (run tools/mypy_baseline.py --write):")
        print("\n".join(f"  {e}" for e in sorted(fixed.elements())))
    if new or fixed:
        return 1
    print(f"mypy: {sum(errors.values())} errors, all in the baseline (it may only shrink).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
