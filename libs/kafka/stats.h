#pragma once

// librdkafka's statistics JSON (statistics.interval.ms, delivered as EVENT_STATS) reduced to
// the figures cdcflow exports. A pure parser: no client, no registry.
// Field meanings: https://github.com/confluentinc/librdkafka/blob/v2.0.2/STATISTICS.md

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace cdcflow::kafka {

struct BrokerStats {
  std::string name;  // "host:port/nodeid"
  int32_t node_id = -1;
  std::string state;  // "UP", "DOWN", "CONNECT", ...
  // Round-trip time of requests in the last window, microseconds (rtt.avg); 0 if none.
  int64_t rtt_avg_us = 0;
  int64_t outbuf_messages = 0;    // outbuf_msg_cnt: waiting to be sent
  int64_t inflight_messages = 0;  // waitresp_msg_cnt: sent, awaiting the response
};

struct PartitionStats {
  std::string topic;
  int32_t partition = 0;
  int64_t queued_messages = 0;  // msgq_cnt + xmit_msgq_cnt (producer)
  int64_t hi_offset = -1;       // high watermark
  int64_t committed_offset = -1001;
  int64_t consumer_lag = -1;  // hi_offset (or ls_offset) − committed/position; -1 = unknown
};

struct ClientStats {
  std::string name;  // the handle's name, "<client.id>#producer-<n>"
  std::string client_id;
  std::string type;            // "producer" or "consumer"
  int64_t queue_messages = 0;  // msg_cnt: messages in the producer queues
  int64_t queue_bytes = 0;     // msg_size
  int64_t tx_messages = 0;     // txmsgs: cumulative, since the client started
  int64_t tx_bytes = 0;        // txmsg_bytes
  int64_t rx_messages = 0;     // rxmsgs
  int64_t rx_bytes = 0;        // rxmsg_bytes
  int64_t rebalances = 0;      // cgrp.rebalance_cnt (consumers)
  // Real brokers, by node id (bootstrap, logical coordinator aliases and librdkafka's
  // internal broker are left out).
  std::vector<BrokerStats> brokers;
  // Real partitions only (librdkafka's internal partition -1 is left out), sorted by
  // (topic, partition).
  std::vector<PartitionStats> partitions;
};

// kInvalidArgument if `json` is not a librdkafka statistics object.
absl::StatusOr<ClientStats> ParseStats(absl::string_view json);

}  // namespace cdcflow::kafka
