#!/bin/sh
# Entrypoint of the compose stack's broker: run Mosquitto on a private copy of the access files the
# server writes, and reload it (SIGHUP) whenever they change. POSIX sh + busybox (eclipse-mosquitto).
#
#   reload-on-change.sh mosquitto -c /mosquitto/config/mosquitto.conf
#
# MQTT_ACCESS_SOURCE (default /mosquitto/access-source): the folder the server writes `passwords` and
#   `acl` into (manage.py mqtt; a volume shared with the server, read-only here).
# MQTT_ACCESS_LIVE (default /mosquitto/access): the copy Mosquitto reads (password_file, acl_file in
#   mosquitto.conf), owned by the mosquitto user, 0600: the broker never reads a half-written file and
#   the server's volume needs no permissions for the broker's user.
# MQTT_ACCESS_POLL_S (default 2): seconds between looks; a revocation takes effect within this.
# MQTT_TLS_CERTS (default /mosquitto/certs): the broker's ca.crt, server.crt and server.key. When
#   server.crt is there, MQTT_TLS_LISTENER (default /mosquitto/config/tls/listener.conf, the mqtts
#   listener on 8883) is copied into MQTT_TLS_ENABLED (default /mosquitto/tls-enabled), which
#   mosquitto.conf includes; without a certificate that folder stays empty and the log says TLS is off.
#
# A reload keeps every connection whose credentials are still valid; Mosquitto 2.0 disconnects the
# clients whose account is gone or whose password changed (tests/integration/test_mqtt_access_reload.py).
set -eu

SOURCE=${MQTT_ACCESS_SOURCE:-/mosquitto/access-source}
LIVE=${MQTT_ACCESS_LIVE:-/mosquitto/access}
POLL=${MQTT_ACCESS_POLL_S:-2}

TLS_CERTS=${MQTT_TLS_CERTS:-/mosquitto/certs}
TLS_LISTENER=${MQTT_TLS_LISTENER:-/mosquitto/config/tls/listener.conf}
TLS_ENABLED=${MQTT_TLS_ENABLED:-/mosquitto/tls-enabled}

log() { echo "reload-on-change: $*" >&2; }

enable_tls() {
    mkdir -p "$TLS_ENABLED"
    rm -f "$TLS_ENABLED/listener.conf"
    if [ -f "$TLS_CERTS/server.crt" ]; then
        cp "$TLS_LISTENER" "$TLS_ENABLED/listener.conf"
        log "TLS listener on (certificates in $TLS_CERTS)"
    else
        log "TLS listener off: no $TLS_CERTS/server.crt (docs/security.md, TLS for MQTT)"
    fi
}

copy_files() {
    mkdir -p "$LIVE"
    for name in passwords acl; do
        cp "$SOURCE/$name" "$LIVE/.$name.new"
        chmod 600 "$LIVE/.$name.new"
        if [ "$(id -u)" = 0 ] && id mosquitto > /dev/null 2>&1; then
            chown mosquitto:mosquitto "$LIVE/.$name.new"
        fi
        mv -f "$LIVE/.$name.new" "$LIVE/$name"
    done
}

changed() {
    for name in passwords acl; do
        cmp -s "$SOURCE/$name" "$LIVE/$name" || return 0
    done
    return 1
}

# The one-shot migrate service renders the files before the stack's clients start; wait for them.
while [ ! -f "$SOURCE/passwords" ] || [ ! -f "$SOURCE/acl" ]; do
    log "waiting for $SOURCE/passwords and $SOURCE/acl (written by: python -m server mqtt render)"
    sleep "$POLL"
done
copy_files
enable_tls

"$@" &
child=$!
trap 'kill -TERM "$child" 2> /dev/null; wait "$child"; exit $?' TERM INT

while kill -0 "$child" 2> /dev/null; do
    sleep "$POLL" &
    wait $! || true
    if [ -f "$SOURCE/passwords" ] && [ -f "$SOURCE/acl" ] && changed; then
        copy_files
        log "access files changed: reloading mosquitto"
        kill -HUP "$child"
    fi
done
wait "$child"
