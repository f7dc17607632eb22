#pragma once

// Durable facts cdc-capture keeps beside the replication slot, the way Kafka Connect keeps a
// source connector's offsets: today, whether the slot's initial snapshot completed. A slot
// whose snapshot was interrupted (crash, kill -9) is dropped and recreated, and the snapshot
// redone: rows are sent twice rather than skipped.

#include <memory>
#include <optional>
#include <string>

#include <prometheus/registry.h>

#include "absl/status/statusor.h"
#include "libs/kafka/types.h"
#include "services/cdc-capture/pgoutput/lsn.h"

namespace cdcflow::cdc_capture {

struct CaptureOffsets {
  bool snapshot_completed = false;
  Lsn snapshot_lsn = 0;  // the slot's consistent point the snapshot was read at

  std::string ToJson() const;
  static absl::StatusOr<CaptureOffsets> FromJson(absl::string_view json);
};

class OffsetStore {
 public:
  virtual ~OffsetStore() = default;
  // nullopt when nothing was ever saved.
  virtual absl::StatusOr<std::optional<CaptureOffsets>> Load() = 0;
  // Returns once the record is durable.
  virtual absl::Status Save(const CaptureOffsets& offsets) = 0;
};

// Offsets in a compacted single-partition topic (Connect's offset.storage.topic), keyed by
// `<topic.prefix>/<slot.name>`; the last record for the key wins.
std::unique_ptr<OffsetStore> MakeKafkaOffsetStore(std::string bootstrap_servers, std::string topic,
                                                  std::string key, prometheus::Registry& registry,
                                                  kafka::LogCallback on_log);

}  // namespace cdcflow::cdc_capture
