#!/usr/bin/env bash
# Install (or upgrade) the hotline from the unpacked offline bundle alone: never a network.
# Run as root from the bundle's top folder:  ./install.sh [options]
#
#   --prefix DIR            code and virtualenvs (default /opt/hotline)
#   --etc-dir DIR           configuration (default /etc/hotline)
#   --state-dir DIR         instance folder, reports, backups (default /var/lib/hotline)
#   --log-dir DIR           nginx's site logs (default /var/log/hotline)
#   --user NAME             the service user (default hotline)
#   --database-url URL      written into the new hotline.env (asked when not given)
#   --local-database        create database and role `hotline` (PostGIS) in this host's
#                           PostgreSQL and use it over the Unix socket (peer authentication)
#   --env-file FILE         use this hotline.env (another host's: same SECRET_KEY)
#   --data-key-file FILE    use this data key file (another host's: it must be the same)
#   --server-name NAME      nginx's server_name (default: this host's name)
#   --tls-cert FILE --tls-key FILE   the certificate (default: a self-signed one is made)
#   --upstream HOST:PORT    an app host behind nginx (repeat; default 127.0.0.1:8000)
#   --admin-user NAME --admin-password-file FILE [--admin-role ROLE]
#                           create the first administrator without questions
#   --demo                  load the demo data (never on a production database)
#   --no-system-packages    do not install the Debian packages of debs/
#   --no-postgresql         Debian packages without PostgreSQL (an app host; the DB is elsewhere)
#   --with-telephony        also install kamailio and rtpengine (if the bundle has them)
#   --no-nginx              do not install the nginx site (an app host behind another nginx)
#   --no-systemd            render the units but do not install, enable or start them
#   --no-user               run as the current user: no service user, no chown (tests)
#   --no-backup             on an upgrade, do not take a backup before migrating
#   --python PATH           the Python 3.11 for the virtualenv (default python3.11/python3)
#   --rollback              switch `current` back to the previous release and restart
#
# Layout: PREFIX/releases/<version>-<commit>-<time>/{app,venv}; PREFIX/current and
# PREFIX/previous are symlinks to releases. Every run installs a new release, migrates the
# database with its code, then switches `current` (the old release stays for a rollback).
set -euo pipefail

bundle=$(cd "$(dirname "$0")" && pwd)
prefix=/opt/hotline
etc=/etc/hotline
state=/var/lib/hotline
log_dir=/var/log/hotline
user=hotline
database_url=""
local_database=0
env_source=""
key_source=""
server_name=""
tls_cert=""
tls_key=""
upstreams=()
admin_user=""
admin_password_file=""
admin_role=system_admin
demo=0
system_packages=1
postgresql=1
telephony=0
nginx_site=1
use_systemd=1
service_user=1
backup=1
python=""
rollback=0
keep=3

die() { echo "install.sh: $*" >&2; exit 1; }
say() { printf '\n== %s\n' "$*"; }
need() { [ $# -ge 2 ] || die "$1 needs a value"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) need "$@"; prefix=$2; shift ;;
    --etc-dir) need "$@"; etc=$2; shift ;;
    --state-dir) need "$@"; state=$2; shift ;;
    --log-dir) need "$@"; log_dir=$2; shift ;;
    --user) need "$@"; user=$2; shift ;;
    --database-url) need "$@"; database_url=$2; shift ;;
    --local-database) local_database=1 ;;
    --env-file) need "$@"; env_source=$2; shift ;;
    --data-key-file) need "$@"; key_source=$2; shift ;;
    --server-name) need "$@"; server_name=$2; shift ;;
    --tls-cert) need "$@"; tls_cert=$2; shift ;;
    --tls-key) need "$@"; tls_key=$2; shift ;;
    --upstream) need "$@"; upstreams+=("$2"); shift ;;
    --admin-user) need "$@"; admin_user=$2; shift ;;
    --admin-password-file) need "$@"; admin_password_file=$2; shift ;;
    --admin-role) need "$@"; admin_role=$2; shift ;;
    --demo) demo=1 ;;
    --no-system-packages) system_packages=0 ;;
    --no-postgresql) postgresql=0 ;;
    --with-telephony) telephony=1 ;;
    --no-nginx) nginx_site=0 ;;
    --no-systemd) use_systemd=0 ;;
    --no-user) service_user=0 ;;
    --no-backup) backup=0 ;;
    --python) need "$@"; python=$2; shift ;;
    --rollback) rollback=1 ;;
    -h | --help) sed -n '2,30p' "$0"; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift
done

mkdir -p "$prefix" && prefix=$(cd "$prefix" && pwd)
mkdir -p "$etc" && etc=$(cd "$etc" && pwd)
mkdir -p "$state" && state=$(cd "$state" && pwd)
[ "$service_user" = 1 ] || user=$(id -un)
if [ "$service_user" = 1 ] || [ "$system_packages" = 1 ]; then
  [ "$(id -u)" = 0 ] || die "run as root (or with --no-user --no-system-packages)"
fi
# systemd is used only when it runs this machine (not in a container or a chroot).
if [ "$use_systemd" = 1 ] && [ ! -d /run/systemd/system ]; then
  echo "install.sh: systemd is not running here: the units are rendered but not installed"
  use_systemd=0
fi

# Run a command of the app as the service user, with the environment of hotline.env and
# nothing else of the installer's (but FLASK_HOTLINE_* options, kept out of the command line).
as_service() (
  release=$1
  shift
  keep=()
  while IFS= read -r name; do keep+=("$name=${!name}"); done < <(compgen -e | grep '^FLASK_HOTLINE_' || true)
  while IFS= read -r name; do unset "$name" 2>/dev/null || true; done < <(compgen -e)
  export PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 HOME=$state
  while IFS= read -r line || [ -n "$line" ]; do
    [[ $line =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
    key=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
    # systemd's EnvironmentFile takes one pair of surrounding quotes off.
    if [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]]; then value=${BASH_REMATCH[1]}; fi
    export "$key=$value"
  done <"$etc/hotline.env"
  for pair in "${keep[@]}"; do export "${pair?}"; done
  cd "$release/app"
  if [ "$service_user" = 1 ]; then exec runuser -u "$user" -- "$@"; fi
  exec "$@"
)
flask_in() { local release=$1; shift; as_service "$release" "$release/venv/bin/flask" --app wsgi "$@"; }
switch_link() { ln -sfn "$2" "$1.new" && mv -Tf "$1.new" "$1"; }

restart_services() {
  [ "$use_systemd" = 1 ] || { echo "(no systemd: start gunicorn and the scheduler yourself)"; return; }
  systemctl daemon-reload
  if systemctl is-active -q hotline-web; then
    # A restart, not a reload: gunicorn's master keeps the old release's folder and code
    # across a HUP. Its SIGTERM is graceful (requests in flight finish); with several hosts
    # nginx sends new requests to the others meanwhile, so upgrade one host at a time.
    systemctl restart hotline-web
  else
    systemctl enable --now hotline-web
  fi
  systemctl enable -q hotline-scheduler
  systemctl restart hotline-scheduler
  if [ "$nginx_site" = 1 ] && command -v nginx >/dev/null; then
    nginx -t -q && systemctl reload-or-restart nginx
  fi
}

if [ "$rollback" = 1 ]; then
  [ -L "$prefix/previous" ] || die "no previous release to go back to"
  now_release=$(readlink "$prefix/current")
  back=$(readlink "$prefix/previous")
  switch_link "$prefix/current" "$back"
  switch_link "$prefix/previous" "$now_release"
  echo "current -> $back (was $now_release)"
  echo "The database keeps the newer schema: if the upgrade migrated it, restore the backup"
  echo "taken before it (hotline restore, docs/DEPLOY.md#rollback) with the services stopped."
  restart_services
  exit 0
fi

# --- the bundle is whole -----------------------------------------------------------------
say "checking the bundle"
(cd "$bundle" && sha256sum --quiet --strict -c SHA256SUMS) || die "the bundle is damaged"
info() { sed -n "s/^$1=//p" "$bundle/BUNDLE_INFO"; }
version=$(info version)
commit=$(info commit)

# --- Debian packages, from the bundle's repository only -----------------------------------
if [ "$system_packages" = 1 ]; then
  say "Debian packages from $bundle/debs"
  apt_tmp=$(mktemp -d)
  mkdir -p "$apt_tmp/lists/partial"
  echo "deb [trusted=yes] file:$bundle/debs ./" >"$apt_tmp/sources.list"
  # Only this source, and its own lists: the machine's sources (unreachable) are not read.
  apt_opts=(-o "Dir::Etc::sourcelist=$apt_tmp/sources.list" -o Dir::Etc::sourceparts=-
    -o "Dir::State::Lists=$apt_tmp/lists" -o APT::Get::List-Cleanup=0
    -o APT::Sandbox::User=root)
  packages=()
  mapfile -t packages <"$bundle/debs/packages-app.txt"
  [ "$postgresql" = 1 ] && mapfile -t -O "${#packages[@]}" packages <"$bundle/debs/packages-db.txt"
  if [ "$telephony" = 1 ]; then
    [ -f "$bundle/debs/packages-telephony.txt" ] || die "this bundle was built without --with-telephony"
    mapfile -t -O "${#packages[@]}" packages <"$bundle/debs/packages-telephony.txt"
  fi
  apt-get "${apt_opts[@]}" -qq update
  DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -q \
    --no-install-recommends "${packages[@]}"
  rm -rf "$apt_tmp"
fi

# --- Python 3.11 -------------------------------------------------------------------------
if [ -z "$python" ]; then
  for candidate in /usr/bin/python3.11 python3.11 /usr/bin/python3 python3; do
    if command -v "$candidate" >/dev/null &&
      "$candidate" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      python=$(command -v "$candidate")
      break
    fi
  done
fi
[ -n "$python" ] || die "no Python 3.11 with venv: install python3 python3-venv (from debs/)"

# --- the service user and the folders ------------------------------------------------------
say "user $user and folders"
if [ "$service_user" = 1 ] && ! getent passwd "$user" >/dev/null; then
  useradd --system --user-group --home-dir "$state" --no-create-home \
    --shell /usr/sbin/nologin --comment "12345/120 hotline" "$user"
fi
group=$(id -gn "$user")
folder() {  # folder MODE OWNER PATH
  mkdir -p "$3"
  chmod "$1" "$3"
  [ "$service_user" = 1 ] && chown "$2" "$3"
  return 0
}
folder 0755 root:root "$prefix"
folder 0755 root:root "$prefix/releases"
folder 0750 "root:$group" "$etc"
folder 0750 "$user:$group" "$state"
folder 0700 "$user:$group" "$state/instance"
folder 0700 "$user:$group" "$state/reports"
folder 0700 "$user:$group" "$state/backups"
folder 0750 "$user:$group" "$log_dir"

# --- a database in this host's PostgreSQL, reached over its socket as the service user ----
if [ "$local_database" = 1 ]; then
  say "database hotline in the local PostgreSQL"
  command -v psql >/dev/null || die "--local-database needs PostgreSQL (from debs/) on this host"
  pg() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qAt "$@"; }
  [ -n "$(pg -c "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" ] || pg -c "CREATE ROLE \"$user\" LOGIN"
  [ -n "$(pg -c "SELECT 1 FROM pg_database WHERE datname = 'hotline'")" ] ||
    pg -c "CREATE DATABASE hotline OWNER \"$user\""
  pg -d hotline -c "CREATE EXTENSION IF NOT EXISTS postgis"
  database_url=${database_url:-"postgresql+psycopg://$user@/hotline?host=/var/run/postgresql"}
fi

# --- the release: the source tree and a virtualenv from the wheelhouse ----------------------
release_name=$version-$commit-$(date -u +%Y%m%d%H%M%S)
release=$prefix/releases/$release_name
say "release $release_name"
[ ! -e "$release" ] || die "$release exists already"
mkdir -p "$release"
cp -a "$bundle/app" "$release/app"
[ "$service_user" = 1 ] && chown -R root:root "$release"
"$python" -m venv "$release/venv"
# Everything from wheels/, each file checked against its hash in the lock: no index, no
# network, no other file.
"$release/venv/bin/python" -m pip install --no-index --no-cache-dir \
  --disable-pip-version-check --find-links "$bundle/wheels" \
  --require-hashes -r "$bundle/requirements.lock"
"$release/venv/bin/python" -m pip check
# The app runs from the source tree (templates, migrations and gis_data sit beside the
# package): the venv finds it through a .pth file, from any working directory.
site=$("$release/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$release/app" >"$site/hotline-app.pth"
"$release/venv/bin/python" -m compileall -q "$release/app/hotline" >/dev/null || true

# --- render the templates: every @KEY@ we know; any other left is an error ---------------
server_name=${server_name:-$(hostname -f 2>/dev/null || hostname)}
tls_cert=${tls_cert:-$etc/tls/hotline.crt}
tls_key=${tls_key:-$etc/tls/hotline.key}
[ ${#upstreams[@]} -gt 0 ] || upstreams=(127.0.0.1:8000)
render() {  # render TEMPLATE OUTPUT [KEY=VALUE ...]
  local template=$1 output=$2
  shift 2
  "$python" - "$template" "$output" "$@" <<'PY'
import os, re, sys
template, output, pairs = sys.argv[1], sys.argv[2], sys.argv[3:]
# Secrets come through the environment: a process's arguments are visible to every user.
if os.environ.get("RENDER_SECRET_KEY"):
    pairs.append("SECRET_KEY=" + os.environ["RENDER_SECRET_KEY"])
text = open(template, encoding="utf-8").read()
for pair in pairs:
    key, _, value = pair.partition("=")
    text = text.replace(f"@{key}@", value)
left = sorted(set(re.findall(r"@[A-Z][A-Z0-9_]*@", text)))
if left:
    sys.exit(f"install.sh: {template}: no value for {', '.join(left)}")
with open(output, "w", encoding="utf-8") as handle:
    handle.write(text)
PY
}
values=("PREFIX=$prefix" "ETC=$etc" "STATE=$state" "USER=$user" "SERVER_NAME=$server_name"
  "TLS_CERT=$tls_cert" "TLS_KEY=$tls_key" "STATIC_DIR=$prefix/current/app/hotline/static"
  "LOG_DIR=$log_dir")

# --- hotline.env, once -----------------------------------------------------------------------
if [ ! -f "$etc/hotline.env" ]; then
  say "$etc/hotline.env"
  if [ -n "$env_source" ]; then
    install -m 0640 "$env_source" "$etc/hotline.env"
  else
    if [ -z "$database_url" ] && [ -t 0 ]; then
      # -s: the URL holds the database password; it is not echoed.
      read -r -s -p "DATABASE_URL (postgresql+psycopg://user:password@host:5432/hotline): " database_url
      echo
    fi
    [ -n "$database_url" ] || die "give --database-url (or --env-file)"
    secret=$("$python" -c 'import secrets; print(secrets.token_hex(32))')
    umask 077
    RENDER_SECRET_KEY=$secret render "$bundle/app/deploy/hotline.env.example" \
      "$etc/hotline.env.new" "${values[@]}"
    HOTLINE_INSTALL_DATABASE_URL=$database_url "$python" - "$etc/hotline.env.new" <<'PY'
import os, sys
path, url = sys.argv[1], os.environ["HOTLINE_INSTALL_DATABASE_URL"]
lines = open(path, encoding="utf-8").read().splitlines()
lines = [f"DATABASE_URL={url}" if line.startswith("DATABASE_URL=") else line for line in lines]
if not any(line.startswith("DATABASE_URL=") for line in lines):
    lines.append(f"DATABASE_URL={url}")
open(path, "w", encoding="utf-8").write("\n".join(lines) + "\n")
PY
    mv "$etc/hotline.env.new" "$etc/hotline.env"
    umask 022
  fi
  chmod 0640 "$etc/hotline.env"
  [ "$service_user" = 1 ] && chown "root:$group" "$etc/hotline.env"
else
  echo "$etc/hotline.env kept as it is"
fi

# --- the data key file, once: the same file on every host ---------------------------------
key_file=$(sed -n 's/^HOTLINE_DATA_KEY_FILE=//p' "$etc/hotline.env" | tail -n 1)
key_file=${key_file:-$state/instance/data_keys.json}
if [ ! -f "$key_file" ]; then
  if [ -n "$key_source" ]; then
    install -m 0600 "$key_source" "$key_file"
  else
    # hotline.encryption makes it as the app would on first start (0600, never replaced).
    "$release/venv/bin/python" -c 'import sys
from hotline import encryption
encryption.load_keyring({"DATA_KEYS": None, "DATA_KEY_FILE": sys.argv[1]})' "$key_file"
    echo "new data key file $key_file: BACK IT UP apart from the database, and copy it to every app host"
  fi
fi
[ "$service_user" = 1 ] && chown "$user:$group" "$key_file"
chmod 0600 "$key_file"

# --- the TLS certificate: a self-signed one until the centre's own is put in place --------
if [ "$nginx_site" = 1 ] && [ ! -f "$tls_cert" ]; then
  mkdir -p "$(dirname "$tls_cert")" "$(dirname "$tls_key")"
  "$release/venv/bin/python" - "$tls_cert" "$tls_key" "$server_name" <<'PY'
import datetime, os, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
cert_path, key_path, name = sys.argv[1:4]
key = ec.generate_private_key(ec.SECP256R1())
subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
now = datetime.datetime.now(datetime.UTC)
cert = (
    x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
    .public_key(key.public_key()).serial_number(x509.random_serial_number())
    .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=365))
    .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
    .sign(key, hashes.SHA256())
)
fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
with os.fdopen(fd, "wb") as handle:
    handle.write(key.private_bytes(serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
with open(cert_path, "wb") as handle:
    handle.write(cert.public_bytes(serialization.Encoding.PEM))
PY
  echo "self-signed certificate $tls_cert for $server_name: replace it with the centre's own"
fi

# --- units, nginx site, the app hosts list ---------------------------------------------
say "rendering the units and the nginx site into $etc/rendered"
mkdir -p "$etc/rendered/systemd" "$etc/rendered/nginx"
for unit in "$bundle"/app/deploy/systemd/*.service "$bundle"/app/deploy/systemd/*.timer; do
  [ -f "$unit" ] || continue
  render "$unit" "$etc/rendered/systemd/$(basename "$unit")" "${values[@]}"
done
if [ -f "$bundle/app/deploy/nginx/hotline.conf" ]; then
  render "$bundle/app/deploy/nginx/hotline.conf" "$etc/rendered/nginx/hotline.conf" "${values[@]}"
fi
if [ ! -f "$etc/upstream-hosts" ]; then
  printf '%s\n' "${upstreams[@]}" >"$etc/upstream-hosts"
fi
if [ ! -f "$etc/upstreams.conf" ]; then
  # Every host up until the health check (hotline-upstream-check.timer) says otherwise.
  while read -r host; do
    [[ $host =~ ^[[:space:]]*(#|$) ]] || echo "server $host;"
  done <"$etc/upstream-hosts" >"$etc/upstreams.conf"
fi

# --- the database: migrate with the new code before it goes live ---------------------------
if [ -L "$prefix/current" ] && [ "$backup" = 1 ]; then
  old=$(readlink -f "$prefix/current")
  out=$state/backups/pre-upgrade-$release_name.backup
  say "backup before migrating: $out"
  flask_in "$old" hotline backup --out "$out"
fi
say "database migrations"
flask_in "$release" db upgrade

# --- switch: current -> the new release, previous -> the old one ----------------------------
if [ -L "$prefix/current" ]; then
  old_target=$(readlink "$prefix/current")
  [ "$old_target" = "releases/$release_name" ] || switch_link "$prefix/previous" "$old_target"
fi
switch_link "$prefix/current" "releases/$release_name"
echo "current -> releases/$release_name"

# A console helper: `PREFIX/bin/hotline-flask hotline create-user` etc. as the service user.
mkdir -p "$prefix/bin"
cat >"$prefix/bin/hotline-flask" <<EOF
#!/usr/bin/env bash
# flask --app wsgi ... of the current release, as $user, with $etc/hotline.env. The settings
# are exported, never passed as arguments: any local user can read a process's arguments.
set -euo pipefail
while IFS= read -r name; do unset "\$name" 2>/dev/null || true; done < <(compgen -e)
export PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 HOME='$state'
while IFS= read -r line || [ -n "\$line" ]; do
  [[ \$line =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)\$ ]] || continue
  key=\${BASH_REMATCH[1]} value=\${BASH_REMATCH[2]}
  # systemd's EnvironmentFile takes one pair of surrounding quotes off: so does this.
  if [[ \$value =~ ^\"(.*)\"\$ || \$value =~ ^\'(.*)\'\$ ]]; then value=\${BASH_REMATCH[1]}; fi
  export "\$key=\$value"
done <'$etc/hotline.env'
cd '$prefix/current/app'
if [ "\$(id -un)" = '$user' ]; then exec '$prefix/current/venv/bin/flask' --app wsgi "\$@"; fi
exec runuser -u '$user' -- '$prefix/current/venv/bin/flask' --app wsgi "\$@"
EOF
chmod 0755 "$prefix/bin/hotline-flask"

# --- the first administrators ---------------------------------------------------------------
if [ -n "$admin_user" ]; then
  [ -r "$admin_password_file" ] || die "--admin-user needs a readable --admin-password-file"
  password=$(head -n 1 "$admin_password_file")
  say "administrator $admin_user ($admin_role)"
  if ! output=$(FLASK_HOTLINE_CREATE_USER_PASSWORD=$password flask_in "$release" hotline \
    create-user --username "$admin_user" --role "$admin_role" --display-name "$admin_user" \
    </dev/null 2>&1); then
    echo "$output"
    grep -qi "exist\|taken" <<<"$output" || die "could not create $admin_user"
  else
    echo "$output"
  fi
elif [ ! -L "$prefix/previous" ] && [ -t 0 ]; then
  # 三员分立: the system administrator creates accounts, the security administrator gives
  # them roles, the audit administrator reads the logs. Each is a different person.
  for role in system_admin security_admin audit_admin; do
    read -r -p "Create a $role account now? [Y/n] " answer
    [[ ${answer:-y} =~ ^[Yy] ]] || continue
    flask_in "$release" hotline create-user --role "$role" || echo "(not created)"
  done
fi

if [ "$demo" = 1 ]; then
  say "demo data"
  flask_in "$release" hotline seed-demo
fi

# --- system integration ------------------------------------------------------------------------
if [ "$use_systemd" = 1 ]; then
  say "systemd units and the nginx site"
  for unit in "$etc"/rendered/systemd/*; do
    install -m 0644 "$unit" "/etc/systemd/system/$(basename "$unit")"
  done
  if [ "$nginx_site" = 1 ] && [ -f "$etc/rendered/nginx/hotline.conf" ] && [ -d /etc/nginx/sites-available ]; then
    install -m 0644 "$etc/rendered/nginx/hotline.conf" /etc/nginx/sites-available/hotline.conf
    ln -sfn /etc/nginx/sites-available/hotline.conf /etc/nginx/sites-enabled/hotline.conf
    rm -f /etc/nginx/sites-enabled/default
    systemctl enable -q --now hotline-upstream-check.timer 2>/dev/null || true
  fi
fi
restart_services

# --- keep the current, the previous and the newest few releases ---------------------------------
current_target=$(readlink "$prefix/current")
previous_target=$(readlink "$prefix/previous" 2>/dev/null || true)
mapfile -t old_releases < <(ls -1dt "$prefix"/releases/*/ 2>/dev/null | tail -n +$((keep + 1)))
for dir in "${old_releases[@]}"; do
  dir=${dir%/}
  case "releases/$(basename "$dir")" in "$current_target" | "$previous_target") continue ;; esac
  rm -rf "$dir"
done

say "installed $version ($commit) in $prefix/current"
cat <<EOF
configuration   $etc/hotline.env
data key file   $key_file  (back it up apart from the database; the same file on every host)
state           $state (instance, reports, backups)
units, nginx    $etc/rendered/
console         $prefix/bin/hotline-flask hotline --help
EOF
