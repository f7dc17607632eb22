#!/usr/bin/env python3
"""End-to-end test of the seed pipeline on deploy/local's real PostgreSQL, Kafka and MariaDB:

  PostgreSQL public.transaction_details --cdc-capture--> Kafka <id>.public.transaction_details
      --mysql-sink--> MariaDB <id>.transaction_details

cdcflow-loadgen writes the reference mix (70 % inserts, 25 % updates, 5 % deletes) while both
services run; mysql-sink is killed with SIGKILL half-way and restarted. After the load stops
and the sink has applied every record in the topic, the two tables must be equal row by row.

Usage: seed_pipeline_test.py <cdc-capture> <mysql-sink> <cdcflow-loadgen>   (ctest passes them)
Environment: deploy/local/env.sh's CDCFLOW_LOCAL_* settings (defaults: deploy/local's ports).
"""

import os
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PG_DSN = os.environ.get("CDCFLOW_LOCAL_PG_DSN",
                        "host=127.0.0.1 port=5432 dbname=transactions user=admin password=admin")
KAFKA = os.environ.get("CDCFLOW_LOCAL_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
MYSQL = {
    "host": os.environ.get("CDCFLOW_LOCAL_MYSQL_HOST", "127.0.0.1"),
    "port": os.environ.get("CDCFLOW_LOCAL_MYSQL_PORT", "3306"),
    "user": os.environ.get("CDCFLOW_LOCAL_MYSQL_USER", "admin"),
    "password": os.environ.get("CDCFLOW_LOCAL_MYSQL_PASSWORD", "admin"),
}
COLUMNS = ["txn_id", "sender_account_id", "receiver_account_id", "amount", "last_modified_date",
           "product_id", "product_type_id", "transactor_module_id", "module_id", "status"]


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def dsn_for(dbname):
    parts = [p for p in PG_DSN.split() if not p.startswith("dbname=")]
    return " ".join(parts + [f"dbname={dbname}"])


def psql(sql, dbname="postgres"):
    return subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                           "-d", dsn_for(dbname), "-c", sql],
                          check=True, capture_output=True, text=True).stdout


def mariadb(sql, database=None):
    command = ["mariadb", "-h", MYSQL["host"], "-P", MYSQL["port"], "-u", MYSQL["user"],
               f"-p{MYSQL['password']}", "-N", "-B", "-e", sql]
    if database:
        command.append(database)
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def end_offsets(topic):
    """{partition: high watermark} of a topic, from kcat's offset query."""
    out = subprocess.run(["kcat", "-b", KAFKA, "-Q", "-t", f"{topic}:0:-1"],
                         capture_output=True, text=True, timeout=30)
    ends = {}
    for line in out.stdout.splitlines():
        # "<topic> [0] offset 1234"
        fields = line.split()
        if len(fields) >= 4 and fields[-2] == "offset":
            ends[int(fields[-3].strip("[]"))] = int(fields[-1])
    return ends


class Service:
    def __init__(self, name, binary, yaml, workdir):
        self.name, self.binary = name, binary
        self.config = os.path.join(workdir, f"{name}.yaml")
        self.log_path = os.path.join(workdir, f"{name}.log")
        with open(self.config, "w") as f:
            f.write(yaml)
        self.process = None

    def start(self):
        log_file = open(self.log_path, "a")
        self.process = subprocess.Popen([self.binary, "--config", self.config],
                                        stdout=log_file, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=40):
        if not self.alive():
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def tail(self, lines=30):
        try:
            with open(self.log_path) as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""


def main():
    capture_bin, sink_bin, loadgen_bin = sys.argv[1:4]
    uid = f"e2e_{int(time.time() * 1000)}_{os.getpid()}"
    topic = f"{uid}.public.transaction_details"
    workdir = tempfile.mkdtemp(prefix="cdcflow-e2e-")
    log(f"id {uid}, logs in {workdir}")

    psql(f"CREATE DATABASE {uid}")
    with open(os.path.join(REPO, "deploy/local/sql/source.sql")) as f:
        psql(f.read(), uid)
    mariadb(f"CREATE DATABASE `{uid}`")

    capture = Service("cdc-capture", capture_bin, f"""
connector:
  database.hostname: {dsn_value('host')}
  database.port: {dsn_value('port')}
  database.user: {dsn_value('user')}
  database.password: {dsn_value('password')}
  database.dbname: {uid}
  topic.prefix: {uid}
  slot.name: {uid}
  publication.name: cdc_publication
  publication.autocreate.mode: disabled
  table.include.list: public.transaction_details
kafka:
  bootstrap.servers: {KAFKA}
metrics:
  port: 0
admin:
  port: 0
""", workdir)
    sink = Service("mysql-sink", sink_bin, f"""
connector:
  name: {uid}
  topics: {topic}
  connection.host: {MYSQL['host']}
  connection.port: {MYSQL['port']}
  connection.user: {MYSQL['user']}
  connection.password: {MYSQL['password']}
  connection.database: {uid}
  insert.mode: upsert
  pk.mode: record_key
  delete.enabled: true
  route.regex: {uid}\\.public\\.(.*)
  route.replacement: $1
  errors.tolerance: none
kafka:
  bootstrap.servers: {KAFKA}
  # The killed instance stays a group member until its session times out (45 s by default).
  properties: session.timeout.ms=6000
metrics:
  port: 0
admin:
  port: 0
""", workdir)
    loadgen = None
    ok = False
    try:
        capture.start()
        sink.start()
        loadgen = subprocess.Popen(
            [loadgen_bin, "--dsn", dsn_for(uid), "--rate", "4000", "--duration", "16s",
             "--mix", "reference", "--txn-rows", "1-300", "--progress", "0"],
            stdout=open(os.path.join(workdir, "loadgen.log"), "w"), stderr=subprocess.STDOUT)
        time.sleep(7)
        if not sink.alive():
            raise AssertionError(f"mysql-sink exited early:\n{sink.tail()}")
        log("killing mysql-sink with SIGKILL mid-load, then restarting it")
        sink.stop(signal.SIGKILL)
        time.sleep(1)
        sink.start()
        if loadgen.wait(timeout=120) != 0:
            raise AssertionError("the load generator failed")
        rows = int(psql("SELECT count(*) FROM public.transaction_details", uid))
        log(f"load done: {rows} rows in the source table")

        # Every change must reach the topic and then the table: wait until the sink's stored
        # offsets equal the topic's end, and the end stopped moving.
        deadline = time.time() + 180
        stable_since, last_ends = None, None
        while True:
            for service in (capture, sink):
                if not service.alive():
                    raise AssertionError(f"{service.name} exited:\n{service.tail()}")
            ends = end_offsets(topic)
            stored = {}
            try:
                for line in mariadb(
                        "SELECT partition_id, next_offset FROM __cdcflow_sink_offsets "
                        f"WHERE group_id = 'connect-{uid}'", uid).splitlines():
                    p, o = line.split("\t")
                    stored[int(p)] = int(o)
            except subprocess.CalledProcessError:
                pass
            if ends and ends == last_ends and all(stored.get(p) == o for p, o in ends.items()):
                stable_since = stable_since or time.time()
                if time.time() - stable_since >= 3:
                    break
            else:
                stable_since = None
            last_ends = ends
            if time.time() > deadline:
                raise AssertionError(f"the sink did not catch up: topic ends {ends}, stored {stored}")
            time.sleep(0.5)
        log(f"sink caught up: offsets {stored}")

        source = psql(
            "COPY (SELECT txn_id, sender_account_id, receiver_account_id, amount, "
            "to_char(last_modified_date, 'YYYY-MM-DD HH24:MI:SS.US'), product_id, "
            "product_type_id, transactor_module_id, module_id, status "
            "FROM public.transaction_details ORDER BY txn_id) TO STDOUT", uid).splitlines()
        target = mariadb(
            "SELECT txn_id, sender_account_id, receiver_account_id, amount, "
            "DATE_FORMAT(last_modified_date, '%Y-%m-%d %H:%i:%s.%f'), product_id, "
            "product_type_id, transactor_module_id, module_id, status "
            "FROM transaction_details ORDER BY txn_id", uid).splitlines()
        source = [line.replace("\\N", "NULL") for line in source]
        if len(source) < 1000:
            raise AssertionError(f"the load wrote only {len(source)} rows; the test proves little")
        if source != target:
            source_set, target_set = set(source), set(target)
            missing = sorted(source_set - target_set)[:5]
            extra = sorted(target_set - source_set)[:5]
            raise AssertionError(
                f"tables differ: source {len(source)} rows, target {len(target)} rows; "
                f"first rows only in the source: {missing}; only in the target: {extra}")
        log(f"PASS: {len(source)} rows equal, column by column, in PostgreSQL and MariaDB")
        ok = True
    finally:
        if loadgen and loadgen.poll() is None:
            loadgen.kill()
        sink.stop()
        capture.stop()
        if not ok:
            print("--- cdc-capture log tail ---\n" + capture.tail(), flush=True)
            print("--- mysql-sink log tail ---\n" + sink.tail(), flush=True)
        try:
            psql(f"SELECT pg_drop_replication_slot('{uid}') FROM pg_replication_slots "
                 f"WHERE slot_name = '{uid}'")
            psql(f"DROP DATABASE IF EXISTS {uid} WITH (FORCE)")
            mariadb(f"DROP DATABASE IF EXISTS `{uid}`")
        except subprocess.CalledProcessError as e:
            print(f"cleanup: {e.stderr}", flush=True)
    return 0 if ok else 1


def dsn_value(key):
    defaults = {"host": "127.0.0.1", "port": "5432", "user": "admin", "password": "admin"}
    for part in PG_DSN.split():
        k, _, v = part.partition("=")
        if k == key:
            return v
    return defaults[key]


if __name__ == "__main__":
    sys.exit(main())
