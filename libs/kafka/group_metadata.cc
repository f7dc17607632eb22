#include "libs/kafka/group_metadata.h"

#include <librdkafka/rdkafkacpp.h>

namespace cdcflow::kafka {

GroupMetadata::GroupMetadata(RdKafka::ConsumerGroupMetadata* metadata) : metadata_(metadata) {}
GroupMetadata::~GroupMetadata() = default;
GroupMetadata::GroupMetadata(GroupMetadata&&) noexcept = default;
GroupMetadata& GroupMetadata::operator=(GroupMetadata&&) noexcept = default;

}  // namespace cdcflow::kafka
