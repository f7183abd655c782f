#!/usr/bin/env bash
# One-time, idempotent set-up: project virtualenv from the lock file, the package, the named
# Jupyter kernel, and the Debian packages the project needs. Fast the second time: each step is
# skipped when its stamp or its check says it is already done.
#   scripts/setup.sh            environment + CJK font (for PNG charts)
#   scripts/setup.sh --browser  also Chromium (for the browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
VENV=.venv
STAMP=$VENV/.setup-stamp
want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

say() { printf '[setup] %s\n' "$*"; }

apt_install() {
  # Install Debian packages when we can (root + apt-get); otherwise print the exact command.
  local pkgs=("$@")
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    say "installing Debian packages: ${pkgs[*]}"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null 2>&1; then
      apt-get update -qq >/dev/null 2>&1 || true
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
    fi
  else
    say "MISSING: please run:  sudo apt-get install -y ${pkgs[*]}"
    return 1
  fi
}

# 1. Python environment from the lock file (re-done only when the lock or pyproject changes).
[ -x "$VENV/bin/python" ] || { say "creating $VENV"; "$PY" -m venv "$VENV"; }
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  say "installing locked requirements (requirements.lock)"
  # (this machine's pip.conf lists optional local indexes; their "ignored" notices are noise)
  # --no-deps: the lock is the whole environment, so what it leaves out stays out (the Makefile's
  # KEPT_OUT: rfc3987-syntax, which jupyter-events asks for and which costs ~1 s per process).
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -r requirements.lock \
      2> >(grep -v "^WARNING: Location" >&2)
  # ... and what an earlier install put there without the lock is removed (pip-sync's rule).
  stray=$("$VENV/bin/python" scripts/not_locked.py)
  if [ -n "$stray" ]; then
    say "removing packages the lock does not pin: $stray"
    # shellcheck disable=SC2086
    "$VENV/bin/python" -m pip uninstall -q -y $stray 2> >(grep -v "^WARNING: Location" >&2)
  fi
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e . \
      2> >(grep -v "^WARNING: Location" >&2)
  # The named kernel papermill and JupyterLab use: the project's venv, not whatever is on PATH.
  "$VENV/bin/python" -m ipykernel install --sys-prefix --name jygproj \
      --display-name "jygproj (Python 3.11)" >/dev/null
  echo "$want" > "$STAMP"
else
  say "environment up to date"
fi

# 2. The package's bytecode, compiled now: where PYTHONDONTWRITEBYTECODE is set (as on this project's
# build machines) Python never writes it, so every process (each command, each notebook kernel)
# compiled the package's ~100 modules again: 0.1–0.15 s of a city quarterly run, 0.03 s of a check
# (issue 18). compileall writes it whatever that variable says, and only for sources that changed.
"$VENV/bin/python" -m compileall -q jygproj >/dev/null

# 3. A CJK font, so PNG charts (vl-convert draws with the machine's fonts) show Chinese text.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  apt_install fonts-wqy-microhei fontconfig || true
fi

# 4. Chromium for the browser tests (offline report rendering, dashboard end-to-end).
if [ "$want_browser" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium || true
fi
say "ready"
