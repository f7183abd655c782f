"""Print the installed distributions that requirements.lock does not pin (space-separated), apart
from the tools a virtualenv brings and the project itself: what scripts/setup.sh removes, and what
tests/test_environment.py fails on."""

import re
import sys
from importlib import metadata
from pathlib import Path

LOCK = Path(__file__).resolve().parent.parent / "requirements.lock"
#: Installed but never pinned: the virtualenv's own tools and the package under development.
NOT_PINNED = {"pip", "setuptools", "wheel", "jygproj"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_pins(lock: Path = LOCK) -> dict[str, str]:
    """{canonical name: version} of every ``name==version`` line of the lock."""
    pins = {}
    for line in lock.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            pins[canonical(m[1])] = m[2]
    return pins


def not_locked(lock: Path = LOCK) -> list[str]:
    pins = lock_pins(lock)
    installed = {canonical(d.metadata["Name"]) for d in metadata.distributions() if d.metadata["Name"]}
    return sorted(installed - set(pins) - NOT_PINNED)


if __name__ == "__main__":
    print(" ".join(not_locked()))
    sys.exit(0)
