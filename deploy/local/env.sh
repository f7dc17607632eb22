# Connection settings of the local infrastructure started by deploy/local/up.
# Source it (bash): `. deploy/local/env.sh`. Tests, examples and the up/down/status scripts all
# read ports from here, so one CDCFLOW_*_PORT override moves every user of that port together.
# No `set -e` here: this file runs inside the caller's shell.

CDCFLOW_REPO="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/../.." && pwd -P)"
export CDCFLOW_REPO

# All state of the local deployment (data, logs, pid files, generated configs); git-ignored.
# Absolute, so pid checks and generated configs name it the same way from any directory.
CDCFLOW_HOME="$(realpath -m "${CDCFLOW_HOME:-$CDCFLOW_REPO/.local}")"
export CDCFLOW_HOME

export CDCFLOW_PG_PORT="${CDCFLOW_PG_PORT:-5432}"
export CDCFLOW_MARIADB_PORT="${CDCFLOW_MARIADB_PORT:-3306}"
export CDCFLOW_KAFKA_PORT="${CDCFLOW_KAFKA_PORT:-9092}"
export CDCFLOW_KAFKA_CONTROLLER_PORT="${CDCFLOW_KAFKA_CONTROLLER_PORT:-9094}"
export CDCFLOW_PROMETHEUS_PORT="${CDCFLOW_PROMETHEUS_PORT:-9090}"
export CDCFLOW_ALERTMANAGER_PORT="${CDCFLOW_ALERTMANAGER_PORT:-9093}"

# Derived settings always follow the ports above (re-source after changing a port). They are
# named CDCFLOW_LOCAL_* so they never collide with the CDCFLOW_<SECTION>_<KEY> overrides that
# libs/config reads: sourcing this file must not reconfigure a service behind its back.
export CDCFLOW_LOCAL_KAFKA_BOOTSTRAP="127.0.0.1:$CDCFLOW_KAFKA_PORT"
export CDCFLOW_LOCAL_PG_HOST=127.0.0.1 CDCFLOW_LOCAL_PG_USER=admin CDCFLOW_LOCAL_PG_PASSWORD=admin
export CDCFLOW_LOCAL_PG_DATABASE=transactions
export CDCFLOW_LOCAL_PG_DSN="host=127.0.0.1 port=$CDCFLOW_PG_PORT dbname=transactions user=admin password=admin"
export CDCFLOW_LOCAL_MYSQL_HOST=127.0.0.1
export CDCFLOW_LOCAL_MYSQL_PORT="$CDCFLOW_MARIADB_PORT"
export CDCFLOW_LOCAL_MYSQL_USER=admin CDCFLOW_LOCAL_MYSQL_PASSWORD=admin
export CDCFLOW_LOCAL_PROMETHEUS_URL="http://127.0.0.1:$CDCFLOW_PROMETHEUS_PORT"
export CDCFLOW_LOCAL_ALERTMANAGER_URL="http://127.0.0.1:$CDCFLOW_ALERTMANAGER_PORT"
