#pragma once

// Protobuf schemas: .proto text (proto2 or proto3) or a base64-encoded FileDescriptorProto, as
// Confluent accepts them, parsed with libprotoc and validated by building a DescriptorPool.
// Imports resolve against the schema's references (by import path) and, without references,
// against the well-known types compiled into libprotobuf (google/protobuf/*.proto).

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor_database.h>

#include "absl/status/statusor.h"
#include "services/schema-registry/schema/schema.h"

namespace cdcflow::schema_registry::protobuf {

// A built .proto file with the pools that own it. Immutable after Parse.
class ProtobufSchema final : public ParsedSchema {
 public:
  SchemaType type() const override { return SchemaType::kProtobuf; }
  // FileDescriptor::DebugString() of the built file: valid .proto text with fully-qualified
  // type names, no comments, `syntax` always present.
  const std::string& canonical() const override { return canonical_; }
  // canonical() of the file with imports sorted and each message's fields ordered by number
  // (neither changes the wire format or the message indexes).
  std::string Normalized() const override { return normalized_; }

  // The main file (its name is internal; do not rely on it).
  const google::protobuf::FileDescriptor& file() const { return *file_; }
  // Full names of every message the file declares, depth-first in declaration order (the order
  // Confluent's message indexes use), map entries left out.
  std::vector<std::string> MessageNames() const;
  // Text of the reference a file came from, or nullptr when the file is the main file or a
  // well-known type from libprotobuf.
  const std::string* ReferenceText(const google::protobuf::FileDescriptor& file) const;

 private:
  friend absl::StatusOr<std::shared_ptr<const ParsedSchema>> Parse(
      std::string_view text, const std::vector<ResolvedReference>& references);

  ProtobufSchema() = default;

  // Declaration order matters: pools are destroyed before the databases they read.
  std::map<std::string, std::string> reference_texts_;  // import path -> schema text
  std::unique_ptr<google::protobuf::SimpleDescriptorDatabase> reference_db_;
  std::unique_ptr<google::protobuf::DescriptorPoolDatabase> well_known_db_;
  std::unique_ptr<google::protobuf::MergedDescriptorDatabase> dependency_db_;
  // Outlives dependency_pool_, which reports to it whenever it loads a file.
  std::unique_ptr<google::protobuf::DescriptorPool::ErrorCollector> dependency_errors_;
  std::unique_ptr<google::protobuf::DescriptorPool> dependency_pool_;
  std::unique_ptr<google::protobuf::DescriptorPool> pool_;  // overlay holding only the main file
  const google::protobuf::FileDescriptor* file_ = nullptr;
  std::string canonical_;
  std::string normalized_;
};

// Parses and validates `text`; kInvalidArgument with "line:column: reason" where known.
// `references` are the files the schema imports (transitively), `name` being the import path.
absl::StatusOr<std::shared_ptr<const ParsedSchema>> Parse(
    std::string_view text, const std::vector<ResolvedReference>& references);

}  // namespace cdcflow::schema_registry::protobuf
