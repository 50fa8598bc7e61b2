#!/usr/bin/env bash
# The phone line for development and the tests (`make pbx`): rtpengine (user space, no kernel
# module) and Kamailio on 127.0.0.1, both in the foreground of this script; Ctrl-C or a signal
# to the process group stops both. docs/TELEPHONY.md describes what Kamailio asks the app.
#
# Settings (environment):
#   PBX_SIP_LISTEN   Kamailio's socket (udp:127.0.0.1:5060)
#   PBX_APP_URL      the app (http://127.0.0.1:5000)
#   PBX_RUN_DIR      pid files, the acc database, recordings (instance/pbx)
#   PBX_NG_PORT      rtpengine's control port on 127.0.0.1 (2223)
#   PBX_RTP_MIN, PBX_RTP_MAX   rtpengine's media ports (30000-30999)
#   PBX_HUNT_12345, PBX_HUNT_120   the hunt groups rung when the app does not answer
#   PBX_TRUNK_NETWORK  where callers' INVITEs may come from (127.0.0.1/8)
#   PBX_TRUNK_GATEWAY  host:port where click-to-call calls go out (none: refused)
#   PBX_HTTP_TIMEOUT   seconds Kamailio waits for the app (1)
#   PBX_CHILDREN       SIP worker processes (1: SQLite accounting wants one writer)
#   TELEPHONY_SECRET   else read from instance/telephony-secret (created, mode 600)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RUN_DIR=${PBX_RUN_DIR:-$ROOT/instance/pbx}
SIP_LISTEN=${PBX_SIP_LISTEN:-udp:127.0.0.1:5060}
APP_URL=${PBX_APP_URL:-http://127.0.0.1:5000}
NG_PORT=${PBX_NG_PORT:-2223}
RTP_MIN=${PBX_RTP_MIN:-30000}
RTP_MAX=${PBX_RTP_MAX:-30999}
PYTHON=${PYTHON:-python3}

if [ -z "${TELEPHONY_SECRET:-}" ]; then
	SECRET_FILE=$ROOT/instance/telephony-secret
	if [ ! -s "$SECRET_FILE" ]; then
		mkdir -p "$ROOT/instance"
		(umask 077 && "$PYTHON" -c 'import secrets; print(secrets.token_hex(32))' >"$SECRET_FILE")
		echo "pbx: wrote a new secret to $SECRET_FILE (give the app the same TELEPHONY_SECRET)"
	fi
	TELEPHONY_SECRET=$(cat "$SECRET_FILE")
fi
# Kamailio reads it from the environment (#!defenvs): not on a command line others can see.
export TELEPHONY_SECRET
# acc's times in UTC, as the app's reconcile job reads them
export TZ=UTC

# The accounting (callers' numbers) and the recordings are personal data: this user's only.
umask 077
RUN_DIR=$(mkdir -p "$RUN_DIR" && cd "$RUN_DIR" && pwd)
RECORDINGS=$RUN_DIR/recordings
mkdir -p "$RECORDINGS"
# Kamailio's own accounting (acc, missed_calls): created once, kept across restarts.
"$PYTHON" - "$RUN_DIR/acc.sqlite" "$HERE/acc-sqlite.sql" <<'EOF'
import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as db:
    db.executescript(open(sys.argv[2]).read())
    # WAL is kept in the file: the app's reconcile job reading never blocks Kamailio writing.
    db.execute("PRAGMA journal_mode=WAL")
EOF

# Kamailio's db_sqlite sets no busy timeout: two processes writing acc rows at once lose one
# ("database is locked"). With SQLite accounting (development, the tests) one SIP worker
# writes them (PBX_CHILDREN); a centre's line keeps its accounting in PostgreSQL.
KAMAILIO_ARGS=(
	-f "$HERE/kamailio.cfg"
	-A "LISTEN=$SIP_LISTEN"
	-A "APP_URL=\"$APP_URL\""
	-A "ACC_DB_URL=\"sqlite://$RUN_DIR/acc.sqlite\""
	-A "RTPENGINE_SOCK=\"udp:127.0.0.1:$NG_PORT\""
	-A "HUNT_12345=\"${PBX_HUNT_12345:-}\""
	-A "HUNT_120=\"${PBX_HUNT_120:-}\""
	-A "TRUNK_NETWORK=\"${PBX_TRUNK_NETWORK:-127.0.0.1/8}\""
	-A "TRUNK_GATEWAY=\"${PBX_TRUNK_GATEWAY:-}\""
	-A "HTTP_TIMEOUT=${PBX_HTTP_TIMEOUT:-1}"
	-A "CHILDREN=${PBX_CHILDREN:-1}"
	-Y "$RUN_DIR" -P "$RUN_DIR/kamailio.pid"
)
kamailio -c "${KAMAILIO_ARGS[@]}" >"$RUN_DIR/kamailio-check.log" 2>&1 || {
	cat "$RUN_DIR/kamailio-check.log" >&2
	exit 1
}

# Debian's /etc/rtpengine/rtpengine.conf (kernel table, HTTP and CLI ports) is not read.
# Recordings: rtpengine writes each recorded call as a pcap file named by its Call-ID under
# recordings/pcaps/ (docs/TELEPHONY.md, "Recordings"); the /proc method needs the kernel module.
rtpengine --config-file=none --table=-1 --interface=127.0.0.1 --listen-ng="127.0.0.1:$NG_PORT" \
	--port-min="$RTP_MIN" --port-max="$RTP_MAX" \
	--recording-dir="$RECORDINGS" --recording-method=pcap --recording-format=eth --delete-delay=0 \
	--foreground --log-stderr --log-level="${PBX_RTPENGINE_LOG_LEVEL:-5}" \
	--pidfile="$RUN_DIR/rtpengine.pid" &
RTPENGINE=$!
trap 'kill "$RTPENGINE" 2>/dev/null || true' EXIT
# Kamailio pings rtpengine at start and would leave it out for a while if it did not answer.
"$PYTHON" - "$NG_PORT" "$RTPENGINE" <<'EOF'
import os, socket, sys, time
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(0.1)
for _ in range(100):
    os.kill(int(sys.argv[2]), 0)  # rtpengine still there (else it said why)
    sock.sendto(b"pbx d7:command4:pinge", ("127.0.0.1", int(sys.argv[1])))
    try:
        if b"pong" in sock.recv(200):
            sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit("pbx: rtpengine did not answer on its ng port")
EOF

echo "pbx: SIP on $SIP_LISTEN, app $APP_URL, rtpengine ng 127.0.0.1:$NG_PORT, run dir $RUN_DIR"
kamailio "${KAMAILIO_ARGS[@]}" -DD -E
