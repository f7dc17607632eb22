#pragma once

// The reference workload's table (deploy/local/sql/source.sql: public.transaction_details, REPLICA
// IDENTITY FULL) as the catalog describes it to the encoder. Shared by the encoder's tests and
// bench/capture_encoder_bench.

#include "services/cdc-capture/events/table_schema.h"

namespace cdcflow::cdc_capture::events::test_support {

inline TableSchema TransactionDetailsSchema() {
  auto column = [](const char* name, uint32_t oid, bool optional, int32_t typmod = -1) {
    ColumnSchema c;
    c.name = name;
    c.type_oid = oid;
    c.type_modifier = typmod;
    c.optional = optional;
    return c;
  };
  TableSchema t;
  t.relation_oid = 16401;
  t.schema = "public";
  t.table = "transaction_details";
  t.replica_identity = 'f';
  t.columns = {column("txn_id", 20, false),
               column("sender_account_id", 20, false),
               column("receiver_account_id", 20, false),
               column("amount", 1700, false, ((12 << 16) | 2) + 4),  // NUMERIC(12,2)
               column("last_modified_date", 1114, false),
               column("product_id", 23, true),
               column("product_type_id", 23, true),
               column("transactor_module_id", 23, true),
               column("module_id", 23, true),
               column("status", 23, true)};
  t.key_columns = {0};
  t.revision = NextTableRevision();
  return t;
}

}  // namespace cdcflow::cdc_capture::events::test_support
