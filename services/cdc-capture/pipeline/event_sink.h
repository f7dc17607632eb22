#pragma once

// Where encoded records go: the seam between the capture loop and Kafka, so the loop is
// tested without a broker. Delivery reports come back through the callback given at
// construction, carrying the token passed to Send.

#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/cdc-capture/events/encoder.h"

namespace cdcflow::cdc_capture {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Enqueues one record. kResourceExhausted when the local queue is full: the caller polls
  // and retries. Any other error is permanent for this record.
  virtual absl::Status Send(const events::Record& record, uint64_t token) = 0;
  // Serves delivery reports for up to `timeout`.
  virtual void Poll(absl::Duration timeout) = 0;
  // Waits until every enqueued record has its delivery report.
  virtual absl::Status Flush(absl::Duration timeout) = 0;
};

}  // namespace cdcflow::cdc_capture
