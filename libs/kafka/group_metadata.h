#pragma once

// A consumer's group metadata (group id, generation, member id), taken from a Consumer and
// handed to Producer::SendOffsetsToTransaction, so a transaction can commit the consumer's
// offsets (exactly-once consume → produce).

#include <memory>

namespace RdKafka {
class ConsumerGroupMetadata;
}  // namespace RdKafka

namespace cdcflow::kafka {

class GroupMetadata {
 public:
  explicit GroupMetadata(RdKafka::ConsumerGroupMetadata* metadata);  // takes ownership
  ~GroupMetadata();
  GroupMetadata(GroupMetadata&&) noexcept;
  GroupMetadata& operator=(GroupMetadata&&) noexcept;

  const RdKafka::ConsumerGroupMetadata* get() const { return metadata_.get(); }

 private:
  std::unique_ptr<RdKafka::ConsumerGroupMetadata> metadata_;
};

}  // namespace cdcflow::kafka
