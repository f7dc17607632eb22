-- Copy of workload/source.sql (the shared reference workload), so the repo does not depend on
-- it at run time. Differs only in that CREATE PUBLICATION is guarded: deploy/local/up applies
-- this file on every run and it must stay idempotent.
-- PostgreSQL source (seed 000: database "transactions", table public.transaction_details)
CREATE TABLE IF NOT EXISTS public.transaction_details (
    txn_id               BIGINT PRIMARY KEY,
    sender_account_id    BIGINT NOT NULL,
    receiver_account_id  BIGINT NOT NULL,
    amount               NUMERIC(12,2) NOT NULL,
    last_modified_date   TIMESTAMP NOT NULL,
    product_id           INTEGER,
    product_type_id      INTEGER,
    transactor_module_id INTEGER,
    module_id            INTEGER,
    status               INTEGER
);
-- Full before-images for updates and deletes (seed 002)
ALTER TABLE public.transaction_details REPLICA IDENTITY FULL;
-- What logical decoding exposes (seed 000)
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'cdc_publication') THEN
    CREATE PUBLICATION cdc_publication FOR TABLE public.transaction_details;
  END IF;
END
$$;
