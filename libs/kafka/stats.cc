#include "libs/kafka/stats.h"

#include <algorithm>
#include <tuple>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"

namespace cdcflow::kafka {
namespace {

using Json = nlohmann::json;

int64_t Int(const Json& object, const char* key, int64_t fallback = 0) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return fallback;
  return it->get<int64_t>();
}

std::string Str(const Json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

}  // namespace

absl::StatusOr<ClientStats> ParseStats(absl::string_view json) {
  Json root = Json::parse(json.begin(), json.end(), /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return absl::InvalidArgumentError("parse librdkafka statistics: not a JSON object");
  }
  if (!root.contains("name") || !root.contains("type")) {
    return absl::InvalidArgumentError(
        "parse librdkafka statistics: missing \"name\" or \"type\" field");
  }
  ClientStats stats;
  stats.name = Str(root, "name");
  stats.client_id = Str(root, "client_id");
  stats.type = Str(root, "type");
  stats.queue_messages = Int(root, "msg_cnt");
  stats.queue_bytes = Int(root, "msg_size");
  stats.tx_messages = Int(root, "txmsgs");
  stats.tx_bytes = Int(root, "txmsg_bytes");
  stats.rx_messages = Int(root, "rxmsgs");
  stats.rx_bytes = Int(root, "rxmsg_bytes");
  if (auto cgrp = root.find("cgrp"); cgrp != root.end() && cgrp->is_object()) {
    stats.rebalances = Int(*cgrp, "rebalance_cnt");
  }

  if (auto brokers = root.find("brokers"); brokers != root.end() && brokers->is_object()) {
    for (const auto& [key, broker] : brokers->items()) {
      if (!broker.is_object()) continue;
      int64_t node_id = Int(broker, "nodeid", -1);
      const std::string source = Str(broker, "source");
      // Bootstrap entries have no node id; "GroupCoordinator"/"TxnCoordinator" are logical
      // aliases of a real broker; the internal one is librdkafka's own.
      if (node_id < 0 || source == "logical" || source == "internal") continue;
      BrokerStats b;
      b.name = Str(broker, "name");
      if (b.name.empty()) b.name = key;
      b.node_id = static_cast<int32_t>(node_id);
      b.state = Str(broker, "state");
      if (auto rtt = broker.find("rtt"); rtt != broker.end() && rtt->is_object()) {
        b.rtt_avg_us = Int(*rtt, "avg");
      }
      b.outbuf_messages = Int(broker, "outbuf_msg_cnt");
      b.inflight_messages = Int(broker, "waitresp_msg_cnt");
      stats.brokers.push_back(std::move(b));
    }
    std::sort(stats.brokers.begin(), stats.brokers.end(),
              [](const BrokerStats& a, const BrokerStats& b) { return a.node_id < b.node_id; });
  }

  if (auto topics = root.find("topics"); topics != root.end() && topics->is_object()) {
    for (const auto& [topic_name, topic] : topics->items()) {
      if (!topic.is_object()) continue;
      auto partitions = topic.find("partitions");
      if (partitions == topic.end() || !partitions->is_object()) continue;
      for (const auto& [key, partition] : partitions->items()) {
        if (!partition.is_object()) continue;
        int64_t id = Int(partition, "partition", -1);
        if (id < 0) continue;  // librdkafka's internal "unassigned" partition
        PartitionStats p;
        p.topic = topic_name;
        p.partition = static_cast<int32_t>(id);
        p.queued_messages = Int(partition, "msgq_cnt") + Int(partition, "xmit_msgq_cnt");
        p.hi_offset = Int(partition, "hi_offset", -1);
        p.committed_offset = Int(partition, "committed_offset", -1001);
        p.consumer_lag = Int(partition, "consumer_lag", -1);
        stats.partitions.push_back(std::move(p));
      }
    }
    std::sort(stats.partitions.begin(), stats.partitions.end(),
              [](const PartitionStats& a, const PartitionStats& b) {
                return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
              });
  }
  return stats;
}

}  // namespace cdcflow::kafka
