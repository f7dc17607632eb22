# shellcheck shell=bash
# Prometheus (Debian's package), configured by monitoring/prometheus/. Runs as root.

PROM_ROOT="$CDCFLOW_HOME/prometheus"
PROM_SRC="$CDCFLOW_REPO/monitoring/prometheus"
PROM_URL="http://127.0.0.1:$CDCFLOW_PROMETHEUS_PORT"

prometheus_ports() { echo "$CDCFLOW_PROMETHEUS_PORT prometheus"; }
prometheus_log() { echo "$PROM_ROOT/prometheus.log"; }

prometheus_prepare() {
  mkdir -p "$PROM_ROOT/data"
  prometheus_write_config
}

# The copy differs from the repo's file only in the configurable addresses and in pointing
# rule_files at the repo, so rules are edited in one place.
prometheus_write_config() {
  sed -e "1i # Generated from monitoring/prometheus/prometheus.yml by deploy/local/up; edits here are lost." \
    -e "s|127\.0\.0\.1:9090|127.0.0.1:$CDCFLOW_PROMETHEUS_PORT|g" \
    -e "s|127\.0\.0\.1:9093|127.0.0.1:$CDCFLOW_ALERTMANAGER_PORT|g" \
    -e "s|^\(  - \)rules/|\1$PROM_SRC/rules/|" \
    "$PROM_SRC/prometheus.yml" >"$PROM_ROOT/prometheus.yml"
  # Catch a broken config or rule here, with promtool's message, not as a crash at startup.
  promtool check config "$PROM_ROOT/prometheus.yml" >"$PROM_ROOT/check.log" 2>&1 || {
    cat "$PROM_ROOT/check.log" >&2
    die "prometheus: invalid config or rules (monitoring/prometheus/)"
  }
}

prometheus_start() {
  # --web.enable-lifecycle allows POST /-/reload, which up uses when Prometheus is running.
  spawn prometheus root "$(prometheus_log)" /usr/bin/prometheus \
    --config.file="$PROM_ROOT/prometheus.yml" --storage.tsdb.path="$PROM_ROOT/data" \
    --storage.tsdb.retention.time=7d --web.listen-address="127.0.0.1:$CDCFLOW_PROMETHEUS_PORT" \
    --web.enable-lifecycle
}

# Edited rules or scrape targets take effect on the next `up` without a restart.
prometheus_reload() {
  prometheus_write_config
  curl -fsS --max-time 5 -X POST "$PROM_URL/-/reload" >/dev/null ||
    say "prometheus: could not reload its config (restart it with down/up)"
}

prometheus_ready() { curl -fsS --max-time 2 "$PROM_URL/-/ready"; }

prometheus_check() {
  local jobs up rules
  prometheus_ready >/dev/null 2>&1 || { echo "$PROM_URL/-/ready does not answer"; return 1; }
  up="$(curl -fsS --max-time 2 "$PROM_URL/api/v1/targets?state=active")" ||
    { echo "targets API does not answer"; return 1; }
  rules="$(curl -fsS --max-time 2 "$PROM_URL/api/v1/rules?type=alert")" ||
    { echo "rules API does not answer"; return 1; }
  jobs="$(grep -c 'job_name:' "$PROM_ROOT/prometheus.yml")"
  up="$(grep -o '"health":"up"' <<<"$up" | wc -l)"
  rules="$(grep -o '"type":"alerting"' <<<"$rules" | wc -l)"
  echo "Prometheus ready, $jobs scrape jobs ($up targets up), $rules alert rules"
}
