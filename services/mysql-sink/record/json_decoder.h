#pragma once

// RecordDecoder for JSON records as Kafka Connect's JsonConverter (and cdc-capture, which is
// byte-identical) writes them: with or without the {"schema":..,"payload":..} wrapper, as the
// Debezium envelope or as ExtractNewRecordState's flattened row, and tombstones.
// See record/README.md for the type mapping. Pure: no Kafka or database headers.

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "services/mysql-sink/record/row.h"

namespace cdcflow::mysql_sink {

class JsonRecordDecoder final : public RecordDecoder {
 public:
  struct Options {
    // Parsed schemas kept per side (key, value); the cache is emptied when it grows past this.
    // Records keep their shared_ptrs, so emptying never invalidates a decoded record.
    size_t max_cached_schemas = 1024;
  };

  JsonRecordDecoder();
  explicit JsonRecordDecoder(Options options);
  ~JsonRecordDecoder() override;
  JsonRecordDecoder(const JsonRecordDecoder&) = delete;
  JsonRecordDecoder& operator=(const JsonRecordDecoder&) = delete;

  // Overwrites every member of `out` on success; on error `out` is unspecified. Errors are
  // kInvalidArgument: `key: ...` / `value: field "amount": Decimal is not valid base64`,
  // `value: malformed JSON: <simdjson's message>`. Messages never contain row values.
  absl::Status Decode(std::optional<std::string_view> key, std::optional<std::string_view> value,
                      DecodedRecord& out) override;

  // Connect schemas parsed so far (cache misses), for tests and metrics.
  size_t schemas_parsed() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;  // keeps simdjson.h out of the includers
};

}  // namespace cdcflow::mysql_sink
