#!/usr/bin/env bash
# Build the offline installer: ONE archive, dist/hotline-<version>-offline.tar.gz, that
# installs the product on a Debian 12 machine with no network (deploy/install.sh inside).
# Run on a connected Debian 12 (bookworm) machine of the target's architecture with
# Python 3.11, dpkg-dev and git:  make bundle   (or deploy/bundle.sh [options])
#
#   --with-telephony   also carry kamailio (+ extra and utils modules: http_client) and rtpengine
#   --worktree         the files git tracks as they are in the working tree, not HEAD
#
# The archive holds: app/ (the source from git, translations compiled), wheels/ (every
# runtime Python dependency as a wheel, pip/setuptools/wheel, the app's own wheel),
# requirements.lock (every wheel pinned with its sha256), debs/ (a local apt repository:
# the product's Debian packages and their whole dependency closure minus the Debian base
# system), install.sh, deploy -> app/deploy, BUNDLE_INFO and SHA256SUMS.
# Downloads are kept in dist/cache/, so a second build only re-packs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dist=${BUNDLE_DIST:-$root/dist}
cache=$dist/cache
PYTHON=${PYTHON:-python3}
telephony=0
source_mode=head
while [ $# -gt 0 ]; do
  case "$1" in
    --with-telephony) telephony=1 ;;
    --worktree) source_mode=worktree ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "bundle.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

# The product's Debian packages (Debian 12's python3 is 3.11).
app_packages=(fonts-wqy-microhei fonts-wqy-zenhei nginx python3 python3-venv)
db_packages=(postgresql postgresql-15-postgis-3)
telephony_packages=(kamailio kamailio-extra-modules kamailio-utils-modules rtpengine)

say() { printf '\n== %s\n' "$*"; }
die() { echo "bundle.sh: $*" >&2; exit 1; }

command -v git >/dev/null || die "git is needed"
command -v dpkg-scanpackages >/dev/null || die "dpkg-scanpackages is needed: apt-get install dpkg-dev"
command -v apt-get >/dev/null || die "apt-get is needed: build on Debian 12"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' ||
  die "$PYTHON is not Python 3.11 (the target's, Debian 12): set PYTHON=python3.11"
if [ -r /etc/os-release ]; then
  # shellcheck disable=SC1091
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ "$codename" = bookworm ] || echo "bundle.sh: warning: this is not Debian 12 (bookworm)" >&2
fi
arch=$(dpkg --print-architecture)
mkdir -p "$cache"

# --- the source --------------------------------------------------------------------------
work=$(mktemp -d "$dist/.bundle.XXXXXX")
trap 'rm -rf "$work" "${archive:-$work}.tmp"' EXIT
commit=$(git -C "$root" rev-parse --short=12 HEAD)
say "source ($source_mode, commit $commit)"
mkdir -p "$work/app"
if [ "$source_mode" = head ]; then
  git -C "$root" archive --format=tar HEAD | tar -x -C "$work/app"
else
  git -C "$root" ls-files -z --cached |
    tar -C "$root" --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -x -C "$work/app"
  if ! git -C "$root" diff --quiet HEAD --; then commit="$commit-dirty"; fi
fi
version=$("$PYTHON" -c 'import configparser, sys
c = configparser.ConfigParser(); c.read(sys.argv[1]); print(c["metadata"]["version"])' \
  "$work/app/setup.cfg")
"$PYTHON" -c 'import configparser, sys
c = configparser.ConfigParser(); c.read(sys.argv[1])
print("\n".join(r.strip() for r in c["options"]["install_requires"].splitlines() if r.strip()))' \
  "$work/app/setup.cfg" >"$work/requirements.in"
name=hotline-$version-offline
archive=$dist/$name.tar.gz

# --- the wheelhouse ----------------------------------------------------------------------
# Keyed by the requirements, the interpreter and the machine: a change of any builds anew.
py_tag=$("$PYTHON" -c 'import platform, sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}-{platform.machine()}")')
constraints=$work/app/deploy/constraints.txt  # the versions CI tested
wheel_key=$( (cat "$work/requirements.in" "$constraints"; echo "$py_tag") | sha256sum | cut -c1-16)
wheels=$cache/wheels-$wheel_key
build_venv=$cache/build-venv
if [ ! -x "$build_venv/bin/pip" ]; then
  "$PYTHON" -m venv "$build_venv"
  "$build_venv/bin/python" -m pip install -q --upgrade pip
fi
# pip's own cache (~/.cache/pip unless PIP_CACHE_DIR says otherwise): the wheels `make setup`
# downloaded for the same pinned versions are not downloaded again.
export PIP_DISABLE_PIP_VERSION_CHECK=1
if [ ! -f "$wheels/.complete" ]; then
  say "wheelhouse ($py_tag): downloading and building wheels"
  rm -rf "$wheels" && mkdir -p "$wheels"
  # `pip wheel` turns sdist-only packages (jieba) into wheels here, so the target needs no
  # compiler; binary packages come as the manylinux wheels of this interpreter.
  "$build_venv/bin/pip" wheel -q --wheel-dir "$wheels" -c "$constraints" \
    -r "$work/requirements.in" pip setuptools wheel
  touch "$wheels/.complete"
else
  say "wheelhouse ($py_tag): cached in ${wheels#"$root"/}"
fi
mkdir -p "$work/stage/wheels"
cp -l "$wheels"/*.whl "$work/stage/wheels/" 2>/dev/null || cp "$wheels"/*.whl "$work/stage/wheels/"
"$PYTHON" "$root/deploy/bundle/lock.py" "$work/stage/wheels" >"$work/stage/requirements.lock"
echo "$(($(wc -l <"$work/stage/requirements.lock") - 1)) wheels locked"

# A venv from the wheelhouse alone, as the target makes it: proves the lock complete, and
# gives pybabel to compile the translations.
check_venv=$cache/check-venv-$wheel_key
if [ ! -f "$check_venv/.complete" ]; then
  say "checking the lock: a venv from the wheelhouse with --no-index --require-hashes"
  rm -rf "$check_venv"
  "$PYTHON" -m venv "$check_venv"
  # --no-compile: this venv only proves the lock and runs pybabel; byte-compiling its
  # half-gigabyte of packages took more than half of its 30 s.
  "$check_venv/bin/python" -m pip install -q --no-compile --no-index \
    --find-links "$work/stage/wheels" --require-hashes -r "$work/stage/requirements.lock"
  "$check_venv/bin/python" -m pip check
  touch "$check_venv/.complete"
fi
say "translations"
"$check_venv/bin/pybabel" compile -d "$work/app/hotline/translations"

# The app's own wheel (for tools that want the package); the installer runs the source tree
# (templates, migrations and gis_data live beside the package, not in it).
say "the app's wheel"
cp -a "$work/app" "$work/app-build"
"$build_venv/bin/pip" wheel -q --no-deps --wheel-dir "$work/stage/wheels" "$work/app-build" \
  >"$work/app-wheel.log" 2>&1 || { cat "$work/app-wheel.log"; die "the app's wheel did not build"; }
rm -rf "$work/app-build"

# --- the Debian packages -----------------------------------------------------------------
# apt resolves the packages against a Debian base system (this machine's Priority: required
# and Essential: yes packages and what they depend on) with its own lists and cache, so the
# closure is what a freshly installed Debian 12 lacks, whatever this machine has installed.
say "Debian packages ($arch)"
apt_dir=$cache/apt
mkdir -p "$apt_dir/state/lists/partial" "$apt_dir/cache/archives/partial"
touch "$apt_dir/state/extended_states"
"$PYTHON" "$root/deploy/bundle/base_status.py" /var/lib/dpkg/status >"$apt_dir/base-status"
apt_opts=(-o "Dir::State=$apt_dir/state" -o "Dir::State::Lists=$apt_dir/state/lists"
  -o "Dir::State::status=$apt_dir/base-status" -o "Dir::Cache=$apt_dir/cache"
  -o "Dir::Cache::archives=$apt_dir/cache/archives" -o Debug::NoLocking=1
  -o APT::Install-Recommends=0 -o APT::Get::Assume-Yes=1 -o "APT::Architecture=$arch"
  -o APT::Sandbox::User=root)
wanted=("${app_packages[@]}" "${db_packages[@]}")
[ "$telephony" = 1 ] && wanted+=("${telephony_packages[@]}")
# Packages this machine already downloaded (its own installs) are not downloaded again: apt
# checks each file in its archives folder against the index before fetching it.
for deb in /var/cache/apt/archives/*.deb; do
  [ -e "$deb" ] || continue
  ln -f "$deb" "$apt_dir/cache/archives/" 2>/dev/null || cp -n "$deb" "$apt_dir/cache/archives/"
done
apt-get "${apt_opts[@]}" -qq update
apt-get "${apt_opts[@]}" -q -d install "${wanted[@]}" | grep -E '^(Fetched|Need to get)' || true
# Exactly the packages this resolution installs (the cache may hold older versions too),
# upgrades of base packages included: `perl` wants the `perl-base` of its own version.
apt-get "${apt_opts[@]}" -s install "${wanted[@]}" >"$work/apt-plan"
mkdir -p "$work/stage/debs"
while read -r _ pkg pkg_version pkg_arch; do
  file=$apt_dir/cache/archives/${pkg}_${pkg_version//:/%3a}_${pkg_arch}.deb
  [ -f "$file" ] || die "apt did not download $file"
  cp -l "$file" "$work/stage/debs/" 2>/dev/null || cp "$file" "$work/stage/debs/"
done < <(sed -n 's/^Inst \([^ ]*\) \(\[[^]]*\] \)\{0,1\}(\([^ ]*\) .*\[\([a-z0-9]*\)\]).*/x \1 \3 \4/p' \
  "$work/apt-plan")
(cd "$work/stage/debs" && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null >Packages &&
  gzip -9kn Packages)
printf '%s\n' "${app_packages[@]}" >"$work/stage/debs/packages-app.txt"
printf '%s\n' "${db_packages[@]}" >"$work/stage/debs/packages-db.txt"
[ "$telephony" = 1 ] && printf '%s\n' "${telephony_packages[@]}" >"$work/stage/debs/packages-telephony.txt"
cp "$apt_dir/base-status" "$work/stage/debs/base-status"
echo "$(ls "$work/stage/debs" | grep -c '\.deb$') Debian packages"

# The repository alone must satisfy every wanted package on a base system: simulate that
# install with no other source (the test repeats it with no network at all).
list_dir=$work/local-apt
mkdir -p "$list_dir/lists/partial" "$list_dir/cache/archives/partial"
touch "$list_dir/extended_states"
echo "deb [trusted=yes] file:$work/stage/debs ./" >"$list_dir/sources.list"
local_opts=(-o "Dir::Etc::sourcelist=$list_dir/sources.list" -o Dir::Etc::sourceparts=-
  -o "Dir::State=$list_dir" -o "Dir::State::Lists=$list_dir/lists"
  -o "Dir::State::status=$apt_dir/base-status" -o "Dir::Cache=$list_dir/cache"
  -o Debug::NoLocking=1 -o APT::Install-Recommends=0 -o APT::Sandbox::User=root)
apt-get "${local_opts[@]}" -qq update
apt-get "${local_opts[@]}" -s install "${wanted[@]}" >/dev/null ||
  die "the local repository does not satisfy ${wanted[*]} on a base system"

# --- assemble ----------------------------------------------------------------------------
say "archive"
stage=$work/stage
mv "$work/app" "$stage/app"
cp "$root/deploy/install.sh" "$stage/install.sh"
chmod 0755 "$stage/install.sh"
ln -s app/deploy "$stage/deploy"
cat >"$stage/BUNDLE_INFO" <<EOF
name=hotline
version=$version
commit=$commit
built=$(date -u +%Y-%m-%dT%H:%M:%SZ)
python=$py_tag
architecture=$arch
debian=$(cat /etc/debian_version 2>/dev/null || echo unknown)
telephony=$telephony
EOF
cat >"$stage/README" <<EOF
Hotline $version ($commit), offline installer for Debian 12 ($arch).
Verify the archive's sha256 against the figure printed where it was built, then, as root:
    ./install.sh --help
The whole procedure: app/docs/DEPLOY.md.
EOF
(cd "$stage" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum >SHA256SUMS)
rm -f "$archive" "$archive.sha256"
mkdir -p "$dist"
# Wheels and debs are compressed already (95% of the bytes): gzip's stored blocks (level 0,
# which the gzip command lacks) make an archive 2% bigger than `gzip -1` in a second instead
# of 13 s. Any gunzip or `tar -xz` reads it.
tar -C "$work" --transform "s,^stage,$name," --owner=0 --group=0 -cf - stage |
  "$PYTHON" -c 'import shutil, sys, gzip
with gzip.GzipFile(fileobj=sys.stdout.buffer, mode="wb", compresslevel=0, mtime=0) as out:
    shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)' >"$archive.tmp"
mv "$archive.tmp" "$archive"
(cd "$dist" && sha256sum "$name.tar.gz" >"$name.tar.gz.sha256")
echo "$archive"
echo "size:   $(du -h "$archive" | cut -f1) ($(stat -c %s "$archive") bytes)"
echo "sha256: $(cut -d' ' -f1 "$archive.sha256")"
