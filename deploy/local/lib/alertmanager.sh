# shellcheck shell=bash
# Alertmanager (Debian's package), configured by monitoring/alertmanager/. Runs as root.

AM_ROOT="$CDCFLOW_HOME/alertmanager"
AM_CONFIG="$CDCFLOW_REPO/monitoring/alertmanager/alertmanager.yml"
AM_URL="http://127.0.0.1:$CDCFLOW_ALERTMANAGER_PORT"

alertmanager_ports() { echo "$CDCFLOW_ALERTMANAGER_PORT alertmanager"; }
alertmanager_log() { echo "$AM_ROOT/alertmanager.log"; }

alertmanager_prepare() {
  mkdir -p "$AM_ROOT/data"
  alertmanager_check_config
}

alertmanager_check_config() {
  amtool check-config "$AM_CONFIG" >"$AM_ROOT/check.log" 2>&1 || {
    cat "$AM_ROOT/check.log" >&2
    die "alertmanager: invalid config $AM_CONFIG"
  }
}

alertmanager_start() {
  # An empty --cluster.listen-address turns gossip off: one local instance, no extra port.
  spawn alertmanager root "$(alertmanager_log)" /usr/bin/prometheus-alertmanager \
    --config.file="$AM_CONFIG" --storage.path="$AM_ROOT/data" \
    --web.listen-address="127.0.0.1:$CDCFLOW_ALERTMANAGER_PORT" --cluster.listen-address=
}

alertmanager_reload() {
  alertmanager_check_config
  curl -fsS --max-time 5 -X POST "$AM_URL/-/reload" >/dev/null ||
    say "alertmanager: could not reload its config (restart it with down/up)"
}

alertmanager_ready() { curl -fsS --max-time 2 "$AM_URL/-/ready"; }

alertmanager_check() {
  alertmanager_ready >/dev/null 2>&1 || { echo "$AM_URL/-/ready does not answer"; return 1; }
  echo "Alertmanager ready, webhook to $(grep -oE 'http://[^ ]+' "$AM_CONFIG" | head -n 1)"
}
