"""CHANGELOG.md is kept with the code (run by .ci/run): every commit since the last back-fill that
changes what a user sees — templates, views, forms, URLs, the API, static files of our own, the
translations — also changes CHANGELOG.md, or says why not.

A commit passes when
1. it changes CHANGELOG.md itself; or
2. its message has a line ``Changelog: none — <why>`` (a refactor, a test-only change to a template,
   catalogues recompiled after a rebase); or
3. a later commit changes CHANGELOG.md and names it in its message (``Changelog for 1a2b3c4``): the
   repair for a commit already on main, whose message cannot change.

Why commits and not a push range: CI runs on a checkout of main with no remote branch to compare
with, and a range "since the last CI run" is state that a clean checkout does not have. The history
since :data:`SINCE` is in every full clone and gives the same answer everywhere. A shallow clone
fails with a message (``git fetch --unshallow``) instead of passing unchecked.

    python tools/check_changelog.py            # the check (exit 1 with the commits and the fix)
    python tools/check_changelog.py --since X  # another starting point, e.g. to try the rule
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The commit that back-filled CHANGELOG.md from the log (issue 19 §7); commits after it are checked.
SINCE = "e6d9b93"

#: What a user sees (fnmatch patterns; ``*`` matches across folders here).
USER_VISIBLE = (
    "src/servicetorg/*/templates/*",
    "src/servicetorg/templates/*",
    "src/servicetorg/*views.py",
    "src/servicetorg/*/views/*.py",
    "src/servicetorg/*forms.py",
    "src/servicetorg/*urls.py",
    "src/servicetorg/*api.py",
    "src/servicetorg/*/locale/*.po",
    "src/servicetorg/locale/*.po",
    "src/servicetorg/static/*",
)
NOT_USER_VISIBLE = ("src/servicetorg/static/vendor/*",)

EXEMPT = re.compile(r"^Changelog: none\b", re.IGNORECASE | re.MULTILINE)
NAMES = re.compile(r"\bChangelog for ([0-9a-f]{7,40}(?:[ ,]+[0-9a-f]{7,40})*)", re.IGNORECASE)


def git(*args: str) -> str:
    command = ["git", *args]  # git from PATH, fixed arguments: no outside input
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout  # noqa: S603


def user_visible(path: str) -> bool:
    return any(fnmatch(path, p) for p in USER_VISIBLE) and not any(fnmatch(path, p) for p in NOT_USER_VISIBLE)


def commits_since(since: str) -> list[tuple[str, str, list[str]]]:
    """(id, message, changed paths) of every commit after ``since`` up to HEAD, oldest first."""
    out = git("log", "--reverse", "--no-merges", "--format=%x00%H%x01%B%x01", "--name-only", f"{since}..HEAD")
    commits = []
    for record in out.split("\x00")[1:]:
        sha, message, files = record.split("\x01")
        commits.append((sha, message, [f for f in files.split("\n") if f.strip()]))
    return commits


def missing(commits: list[tuple[str, str, list[str]]]) -> list[tuple[str, str, list[str]]]:
    named: set[str] = set()
    for _sha, message, files in commits:
        if "CHANGELOG.md" in files:
            for group in NAMES.findall(message):
                named.update(re.findall(r"[0-9a-f]{7,40}", group))
    result = []
    for sha, message, files in commits:
        visible = [f for f in files if user_visible(f)]
        if not visible or "CHANGELOG.md" in files or EXEMPT.search(message):
            continue
        if any(sha.startswith(short) for short in named):
            continue
        result.append((sha, message.strip().splitlines()[0], visible))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--since", default=SINCE)
    args = parser.parse_args(argv)
    if git("rev-parse", "--is-shallow-repository").strip() == "true":
        print("check_changelog: a shallow clone has not the history to check: git fetch --unshallow")
        return 1
    try:
        git("cat-file", "-e", f"{args.since}^{{commit}}")
    except subprocess.CalledProcessError:
        print(f"check_changelog: commit {args.since} is not in this clone's history")
        return 1
    commits = commits_since(args.since)
    gaps = missing(commits)
    if not gaps:
        print(f"CHANGELOG.md: {len(commits)} commit(s) since {args.since[:7]}, none without a line")
        return 0
    print(f"CHANGELOG.md has no line for {len(gaps)} commit(s) that change what a user sees:")
    for sha, subject, visible in gaps:
        print(f"  {sha[:7]} {subject[:100]}")
        print(f"          {', '.join(visible[:4])}{' …' if len(visible) > 4 else ''}")
    print(
        "Fix: add the line(s) to CHANGELOG.md in a commit whose message says 'Changelog for <id> …';\n"
        "for a change no user sees, say 'Changelog: none — <why>' in the commit's own message."
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
