# Shared by the scripts/*.sh commands (sourced, never run on its own): installing what is missing,
# a private PostgreSQL cluster, the simulator and the Odoo command line.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
LOCAL_DIR="${DDCPTS_LOCAL_DIR:-$ROOT/.local}"
# Where Odoo 18.0 comes from when `import odoo` fails: a source tarball URL, a git URL (branch 18.0)
# or a local source checkout.
ODOO_SOURCE="${ODOO_SOURCE:-https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz}"
PG_SUPERUSER=ddcpts

log() { printf '[ddcpts] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "root rights are needed to run: $*"
  fi
}

apt_install() {  # apt_install PACKAGE...: installs the Debian packages that are not installed yet
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "install these system packages first: ${missing[*]}"
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

find_pg_bin() {  # prints the directory holding initdb/pg_ctl, installing PostgreSQL if there is none
  local dir
  if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then
    dirname "$(command -v pg_ctl)"; return
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return; }
  done
  apt_install postgresql >&2
  ls -d /usr/lib/postgresql/*/bin | sort -V -r | head -n 1
}

ensure_chromium() {
  local bin
  for bin in google-chrome chromium chromium-browser google-chrome-stable; do
    command -v "$bin" >/dev/null && return 0
  done
  apt_install chromium fonts-liberation
}

ensure_wkhtmltopdf() {  # PDF printing: the patched build Odoo recommends when it can be had, else Debian's
  wkhtmltopdf --version 2>/dev/null | grep -q "with patched qt" && return 0
  local codename arch url deb="$LOCAL_DIR/wkhtmltox.deb"
  codename="$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")"
  arch="$(dpkg --print-architecture 2>/dev/null || true)"
  # DDCPTS_WKHTMLTOPDF_URL: another .deb of wkhtmltox; empty to skip the download
  url="${DDCPTS_WKHTMLTOPDF_URL-https://github.com/wkhtmltopdf/packaging/releases/download/0.12.6.1-3/wkhtmltox_0.12.6.1-3.${codename}_${arch}.deb}"
  if [ -n "$url" ] && [ -n "$codename" ] && [ -n "$arch" ] && command -v apt-get >/dev/null; then
    log "downloading the patched wkhtmltopdf that Odoo recommends: $url"
    # optional and fast to give up: no internet, a proxy or an unknown distribution falls back below
    if "$PYTHON" -c "import sys, urllib.request, shutil
with urllib.request.urlopen(sys.argv[1], timeout=10) as answer, open(sys.argv[2], 'wb') as out:
    shutil.copyfileobj(answer, out)" "$url" "$deb" 2>/dev/null \
       && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$deb"; then
      rm -f "$deb"
      return 0
    fi
    rm -f "$deb"
  fi
  command -v wkhtmltopdf >/dev/null || apt_install wkhtmltopdf
  log "WARNING: wkhtmltopdf is Debian's build, without Odoo's patched Qt: printed invoices and reports have"
  log "         no company header and footer (the KRA eTIMS block is in the body and is printed). Install"
  log "         wkhtmltox 0.12.6.1 from https://github.com/wkhtmltopdf/packaging/releases for full PDFs."
}

pip_install() { PIP_ROOT_USER_ACTION=ignore "$PYTHON" -m pip install -q --disable-pip-version-check "$@"; }

ensure_odoo() {  # installs Odoo 18.0 from $ODOO_SOURCE unless it is importable already
  if "$PYTHON" -c "import odoo.release as r; assert r.version_info[:2] == (18, 0)" 2>/dev/null; then
    return 0
  fi
  "$PYTHON" -c "import odoo" 2>/dev/null && die "an Odoo other than 18.0 is importable; DDCPTS needs 18.0"
  local src="$ODOO_SOURCE"
  if [ ! -d "$src" ]; then
    src="$LOCAL_DIR/odoo-src"
    if [ ! -f "$src/setup.py" ]; then
      rm -rf "$src" && mkdir -p "$src"
      log "downloading Odoo 18.0 from $ODOO_SOURCE"
      case "$ODOO_SOURCE" in
        *.git|git@*|*github.com/odoo/odoo) git clone --depth 1 --branch 18.0 "$ODOO_SOURCE" "$src" ;;
        *) "$PYTHON" -c "import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])" \
             "$ODOO_SOURCE" "$LOCAL_DIR/odoo-src.tar.gz"
           tar -xzf "$LOCAL_DIR/odoo-src.tar.gz" -C "$src" --strip-components=1
           rm -f "$LOCAL_DIR/odoo-src.tar.gz" ;;
      esac
    fi
  fi
  log "installing Odoo 18.0 from $src"
  apt_install libpq-dev libxml2-dev libxslt1-dev libjpeg-dev zlib1g-dev
  # cbor2 5.4 does not build with setuptools >= 70; python-ldap only serves auth_ldap.
  local constraint="$LOCAL_DIR/pip-constraint.txt"
  echo "setuptools<70" > "$constraint"
  grep -v '^python-ldap' "$src/requirements.txt" > "$LOCAL_DIR/odoo-requirements.txt"
  PIP_CONSTRAINT="$constraint" pip_install -r "$LOCAL_DIR/odoo-requirements.txt"
  pip_install --no-deps -e "$src"
}

ensure_setup() {  # everything `make run` and `make test` need, installed when missing
  mkdir -p "$LOCAL_DIR"
  command -v "$PYTHON" >/dev/null || apt_install python3 python3-pip
  ensure_odoo
  pip_install -r "$ROOT/requirements.txt" -r "$ROOT/requirements-dev.txt"
  # the websocket worker of a prefork server (--workers) loads gevent's plugins through pkg_resources
  "$PYTHON" -W ignore -c "
try:
    import pkg_resources
except ImportError:
    raise SystemExit(0)
pkg_resources.require('gevent')
" || die "gevent's dependencies cannot be resolved (see pip check): the websocket worker of --workers would not start"
  PG_BIN="$(find_pg_bin)"
  ensure_chromium
  "$PYTHON" -c "import websocket" || die "websocket-client is not importable: browser tests cannot run"
  odoo_launcher
}

odoo_addons_path() {  # odoo_addons_path [DIR...]: Odoo's own addons directories, ours, then DIRs
  "$PYTHON" - "$ROOT/addons" "$@" <<'EOF'
import os, sys
import odoo
base = os.path.dirname(os.path.abspath(odoo.__file__))
paths = [os.path.join(base, "addons"), os.path.normpath(os.path.join(base, "..", "addons"))]
print(",".join([p for p in paths if os.path.isdir(p)] + sys.argv[1:]))
EOF
}

addon_names() {  # addon_names DIR...: comma-separated installable addons found in the DIRs
  "$PYTHON" - "$@" <<'EOF'
import ast, os, sys
names = []
for root in sys.argv[1:]:
    for name in sorted(os.listdir(root)):
        manifest = os.path.join(root, name, "__manifest__.py")
        if os.path.isfile(manifest) and ast.literal_eval(open(manifest).read()).get("installable", True):
            names.append(name)
print(",".join(names))
EOF
}

encryption_key() {  # prints a new Fernet key
  "$PYTHON" -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
}

free_port() {
  "$PYTHON" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"
}

pg_as_owner() {  # PostgreSQL's server programs refuse to run as root
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {  # pg_start DATADIR [SERVER_OPTION...]: creates the cluster on first use, starts it
  local data="$1"; shift
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
    mkdir -p "$data" && chown postgres: "$data"
    pg_as_owner test -w "$data" || die "the postgres user cannot write $data (a parent directory is not accessible)"
  fi
  if [ ! -s "$data/PG_VERSION" ]; then
    pg_as_owner "$PG_BIN/initdb" -D "$data" -U "$PG_SUPERUSER" --auth=trust -E UTF8 --no-locale >/dev/null
  fi
  pg_as_owner "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -s \
    -o "-k '$data' -c listen_addresses='' -p 5432 $*" start \
    || { cat "$data/server.log" >&2; die "PostgreSQL did not start"; }
  DB_ARGS=(--db_host="$data" --db_port=5432 --db_user="$PG_SUPERUSER")
}

pg_stop() {  # pg_stop DATADIR
  [ -f "$1/postmaster.pid" ] && pg_as_owner "$PG_BIN/pg_ctl" -D "$1" -m fast -w -s stop || true
}

wait_for_url() {  # wait_for_url URL SECONDS: returns once URL answers, fails after SECONDS
  "$PYTHON" - "$1" "$2" <<'EOF'
import sys, time, urllib.request
deadline = time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    try:
        urllib.request.urlopen(sys.argv[1], timeout=2)
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
}

sandbox_start() {  # sandbox_start PORT LOGFILE: starts the provider simulator in the background
  (cd "$ROOT" && exec "$PYTHON" -m sandbox --port "$1" >"$2" 2>&1) &
  SANDBOX_PID=$!
  SANDBOX_URL="http://127.0.0.1:$1"
  wait_for_url "$SANDBOX_URL/_sandbox/health" 10 || die "the simulator did not start (see $2)"
}

throwaway_stack() {  # throwaway_stack NAME: a temporary cluster, simulator and key in $WORK, gone on exit
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/ddcpts-$1.XXXXXX")"
  [ "$(id -u)" = 0 ] && chmod 755 "$WORK"
  trap stop_throwaway_stack EXIT
  pg_start "$WORK/pg" -c fsync=off -c synchronous_commit=off -c full_page_writes=off
  sandbox_start "$(free_port)" "$WORK/sandbox.log"
  export DDCPTS_SANDBOX_URL="$SANDBOX_URL"
  export DDCPTS_ENCRYPTION_KEY="$(encryption_key)"
  # tests/addons holds test-only fixture addons (fake provider, callback routes): never in `make run`
  ADDONS_PATH="$(odoo_addons_path "$ROOT/tests/addons")"
  ALL_MODULES="$(addon_names "$ROOT/addons" "$ROOT/tests/addons")"
}

stop_throwaway_stack() {
  [ -n "${ODOO_PID:-}" ] && kill "$ODOO_PID" 2>/dev/null && wait "$ODOO_PID" 2>/dev/null
  [ -n "${SANDBOX_PID:-}" ] && kill "$SANDBOX_PID" 2>/dev/null
  pg_stop "$WORK/pg"
  rm -rf "$WORK"
}

odoo_launcher() {  # sets ODOO_BIN: Odoo's console script (prefork workers re-run it), else `python -m odoo`
  local script
  script="$("$PYTHON" -c 'import os, sysconfig; p = os.path.join(sysconfig.get_path("scripts"), "odoo"); print(p if os.path.isfile(p) else "")')"
  if [ -n "$script" ]; then ODOO_BIN=("$PYTHON" "$script"); else ODOO_BIN=("$PYTHON" -m odoo); fi
}

odoo_cmd() { "${ODOO_BIN[@]}" "$@"; }
