# Shared steps of scripts/run and scripts/test. Sourced, not executed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

step() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  die "Python 3.11 or newer is required (set PYTHON=/path/to/python3.11)"
}

# ensure_venv EXTRA: create .venv and install the project with the given extra, only when
# pyproject.toml changed since the last install (a stamp file remembers its hash).
ensure_venv() {
  local extra="$1" stamp="$VENV/.sensebridge-$1" want
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
  if [ ! -x "$PY" ]; then
    step "creating the Python environment in .venv"
    "$(find_python)" -m venv "$VENV"
  fi
  # The dev extra includes the embedded one: a test set-up serves `run` too.
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] && [ "$(cat "$VENV/.sensebridge-dev" 2>/dev/null)" != "$want" ]; then
    step "installing Python packages (.[${extra}])"
    "$PY" -m pip install --quiet --upgrade pip
    "$PY" -m pip install --quiet -e "$ROOT[${extra}]"
    echo "$want" > "$stamp"
  fi
}

# build_dashboard: npm ci when the lock file changed, vite build when sources changed.
build_dashboard() {
  command -v npm >/dev/null 2>&1 || die "Node.js 20+ with npm is required to build the dashboard"
  local dash="$ROOT/dashboard" lockstamp="$ROOT/dashboard/node_modules/.sensebridge-lock" want
  want="$(sha256sum "$dash/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$lockstamp" 2>/dev/null)" != "$want" ]; then
    step "installing dashboard packages (npm ci)"
    (cd "$dash" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$lockstamp"
  fi
  if [ ! -f "$dash/dist/index.html" ] ||
     [ -n "$(find "$dash/src" "$dash/index.html" "$dash/package.json" "$dash/vite.config.ts" -newer "$dash/dist/index.html" 2>/dev/null | head -1)" ]; then
    step "building the dashboard"
    (cd "$dash" && npm run --silent build)
  fi
}

# ensure_system_packages PKG...: install Debian/Ubuntu packages that are missing (needs root or sudo).
ensure_system_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "missing packages: ${missing[*]} (install them, or run as root)"
    sudo="sudo"
  fi
  command -v apt-get >/dev/null 2>&1 || die "missing packages: ${missing[*]} (no apt-get here: install them yourself)"
  step "installing system packages: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
