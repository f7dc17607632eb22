-- Copy of workload/aggregate.sql (the shared reference workload), so the repo does not depend on
-- it at run time. Idempotent as is: deploy/local/up applies it to database rp on every run.
-- MySQL / MariaDB target of the 15-minute aggregation (seed 000, database "rp")
CREATE TABLE IF NOT EXISTS rp_agg_15min_transactions (
    window_start  DATETIME NOT NULL,
    window_end    DATETIME NOT NULL,
    total_amount  DECIMAL(18,2) NOT NULL,
    txn_count     BIGINT NOT NULL,
    created_at    TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at    TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
    PRIMARY KEY (window_start, window_end)
);
