"""Run Flask 3.1.3's published test suite against this package.

The source distribution is downloaded with pip into ``.conformance/``; only its
``tests/`` folder and ``pyproject.toml`` (for the pytest settings) are extracted.
The tests run in a separate virtualenv pinned to the versions the suite was
released with. Every test must pass except those listed in
``conformance/known-failures.txt``; a listed test that passes is an error too,
so the list only shrinks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

FLASK_VERSION = "3.1.3"
PINNED = [
    "pytest==9.0.2",
    "Werkzeug==3.1.5",
    "click==8.3.1",
    "asgiref",
    "greenlet",
    "python-dotenv",
]
HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = REPO / ".conformance"
SUITE = WORK / f"flask-{FLASK_VERSION}"
VENV = WORK / "venv"
KNOWN = HERE / "known-failures.txt"
RESULTS = WORK / "results.json"


def run(*args: str | os.PathLike[str], **kwargs: object) -> None:
    subprocess.run([os.fspath(a) for a in args], check=True, **kwargs)  # type: ignore[call-overload]


def fetch_suite() -> None:
    """Download the sdist and extract ``tests/`` and ``pyproject.toml`` only."""
    if (SUITE / "tests").is_dir():
        return
    download = WORK / "download"
    run(
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--no-binary",
        ":all:",
        f"flask=={FLASK_VERSION}",
        "-d",
        download,
    )
    archive = download / f"flask-{FLASK_VERSION}.tar.gz"
    prefix = f"flask-{FLASK_VERSION}/"
    wanted = (prefix + "tests/", prefix + "pyproject.toml")
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(wanted)]
        tar.extractall(WORK, members=members, filter="data")


def make_venv() -> Path:
    """Create the pinned virtualenv holding this package (editable)."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    pyproject = REPO / "pyproject.toml"
    if stamp.exists() and stamp.stat().st_mtime >= pyproject.stat().st_mtime:
        return python
    if not python.exists():
        run(sys.executable, "-m", "venv", VENV)
    run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(python, "-m", "pip", "install", "--quiet", *PINNED, "-e", REPO)
    stamp.touch()
    return python


def run_suite(python: Path, extra: list[str]) -> dict[str, str]:
    """Run pytest in the extracted suite and return ``{nodeid: outcome}``."""
    env = dict(
        os.environ, PYTHONPATH=os.fspath(HERE), CONFORMANCE_RESULTS=os.fspath(RESULTS)
    )
    env.pop("FLASK_APP", None)
    subprocess.run(
        [
            os.fspath(python),
            "-m",
            "pytest",
            "-p",
            "_outcomes",
            "-q",
            "-p",
            "no:cacheprovider",
            "--tb=short",
            *extra,
        ],
        cwd=SUITE,
        env=env,
        check=False,
    )
    return json.loads(RESULTS.read_text())


def read_known() -> set[str]:
    lines = KNOWN.read_text().splitlines() if KNOWN.exists() else []
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def main() -> int:
    WORK.mkdir(exist_ok=True)
    fetch_suite()
    python = make_venv()
    extra = sys.argv[1:]
    outcomes = run_suite(python, extra)
    failed = {t for t, o in outcomes.items() if o == "failed"}
    passed = {t for t, o in outcomes.items() if o == "passed"}
    known = read_known()
    if extra:  # a partial run: report, don't judge the list
        print(f"conformance: {len(passed)} passed, {len(failed)} failed")
        return 1 if failed else 0
    unexpected = sorted(failed - known)
    fixed = sorted(known & passed)
    print(
        f"\nconformance: {len(passed)} passed, {len(failed)} failed "
        f"({len(failed & known)} known), {len(outcomes)} tests"
    )
    for test in unexpected:
        print(f"  unexpected failure: {test}")
    for test in fixed:
        print(f"  now passes, remove from {KNOWN.name}: {test}")
    missing = sorted(known - set(outcomes))
    for test in missing:
        print(f"  listed but not run: {test}")
    return 1 if unexpected or fixed or missing else 0


if __name__ == "__main__":
    sys.exit(main())
