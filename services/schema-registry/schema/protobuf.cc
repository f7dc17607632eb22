#include "services/schema-registry/schema/protobuf.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include <google/protobuf/compiler/parser.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace cdcflow::schema_registry::protobuf {
namespace {

namespace gp = ::google::protobuf;

// The main file's name inside the pool; never printed (DebugString leaves file names out).
constexpr char kMainFileName[] = "cdcflow_schema.proto";

absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Syntax errors from the tokenizer and the parser, as "line:column: message" (1-based).
class TextErrorCollector : public gp::io::ErrorCollector {
 public:
  void AddError(int line, gp::io::ColumnNumber column, const std::string& message) override {
    errors_.push_back(absl::StrCat(line + 1, ":", column + 1, ": ", message));
  }
  void AddWarning(int, gp::io::ColumnNumber, const std::string&) override {}

  const std::vector<std::string>& errors() const { return errors_; }

 private:
  std::vector<std::string> errors_;
};

// Semantic errors from building a file (unknown types, duplicate numbers...). For the main
// file parsed from text, the parser's location table gives the line and column.
class BuildErrorCollector : public gp::DescriptorPool::ErrorCollector {
 public:
  explicit BuildErrorCollector(const gp::compiler::SourceLocationTable* locations = nullptr)
      : locations_(locations) {}

  void AddError(const std::string& filename, const std::string& element_name,
                const gp::Message* descriptor, ErrorLocation location,
                const std::string& message) override {
    int line = 0;
    int column = 0;
    if (locations_ != nullptr && filename == kMainFileName &&
        locations_->Find(descriptor, location, &line, &column)) {
      errors_.push_back(absl::StrCat(line + 1, ":", column + 1, ": ", message));
    } else if (filename == kMainFileName) {
      errors_.push_back(absl::StrCat(element_name, ": ", message));
    } else {
      errors_.push_back(absl::StrCat(filename, ": ", element_name, ": ", message));
    }
  }

  const std::vector<std::string>& errors() const { return errors_; }

 private:
  const gp::compiler::SourceLocationTable* locations_;
  std::vector<std::string> errors_;
};

// Confluent accepts a serialized FileDescriptorProto in base64 as the schema text. Text that is
// not pure base64 (any .proto has spaces or semicolons) or does not decode to a descriptor
// declaring something is left to the .proto parser.
std::optional<gp::FileDescriptorProto> DecodeBase64Descriptor(std::string_view text) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(AbslView(text));
  if (trimmed.empty() || trimmed.size() % 4 != 0) return std::nullopt;
  for (char c : trimmed) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '=') {
      return std::nullopt;
    }
  }
  std::string bytes;
  if (!absl::Base64Unescape(trimmed, &bytes)) return std::nullopt;
  gp::FileDescriptorProto proto;
  if (!proto.ParseFromString(bytes)) return std::nullopt;
  if (proto.message_type_size() == 0 && proto.enum_type_size() == 0 && !proto.has_name()) {
    return std::nullopt;
  }
  return proto;
}

// One file's text (base64 descriptor or .proto) to a FileDescriptorProto named `name`.
absl::StatusOr<gp::FileDescriptorProto> ParseFile(std::string_view text, const std::string& name,
                                                  gp::compiler::SourceLocationTable* locations) {
  if (std::optional<gp::FileDescriptorProto> decoded = DecodeBase64Descriptor(text)) {
    decoded->set_name(name);
    return *std::move(decoded);
  }
  if (absl::StripAsciiWhitespace(AbslView(text)).empty()) {
    return absl::InvalidArgumentError("empty Protobuf schema");
  }
  gp::io::ArrayInputStream input(text.data(), static_cast<int>(text.size()));
  TextErrorCollector errors;
  gp::io::Tokenizer tokenizer(&input, &errors);
  gp::compiler::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (locations != nullptr) parser.RecordSourceLocationsTo(locations);
  gp::FileDescriptorProto proto;
  if (!parser.Parse(&tokenizer, &proto) || !errors.errors().empty()) {
    std::string reason = errors.errors().empty() ? "syntax error" : errors.errors().front();
    return absl::InvalidArgumentError(absl::StrCat("invalid Protobuf schema: ", reason));
  }
  proto.set_name(name);
  return proto;
}

// Fields by number, keeping the members of a real oneof together (the builder requires them
// to be consecutive): a oneof sorts at its smallest member number.
void SortFieldsByNumber(gp::DescriptorProto& message) {
  std::vector<int> group_min(message.oneof_decl_size(), std::numeric_limits<int>::max());
  auto real_oneof = [](const gp::FieldDescriptorProto& field) {
    return field.has_oneof_index() && !field.proto3_optional() ? field.oneof_index() : -1;
  };
  for (const gp::FieldDescriptorProto& field : message.field()) {
    int oneof = real_oneof(field);
    if (oneof >= 0) group_min[oneof] = std::min(group_min[oneof], field.number());
  }
  std::vector<gp::FieldDescriptorProto> fields(message.field().begin(), message.field().end());
  std::stable_sort(fields.begin(), fields.end(),
                   [&](const gp::FieldDescriptorProto& a, const gp::FieldDescriptorProto& b) {
                     int oa = real_oneof(a);
                     int ob = real_oneof(b);
                     int ka = oa >= 0 ? group_min[oa] : a.number();
                     int kb = ob >= 0 ? group_min[ob] : b.number();
                     return std::make_pair(ka, a.number()) < std::make_pair(kb, b.number());
                   });
  message.clear_field();
  for (gp::FieldDescriptorProto& field : fields) *message.add_field() = std::move(field);
  for (gp::DescriptorProto& nested : *message.mutable_nested_type()) SortFieldsByNumber(nested);
}

// Imports by name; public/weak markers follow their import.
void SortImports(gp::FileDescriptorProto& file) {
  struct Import {
    std::string name;
    bool is_public;
    bool is_weak;
  };
  std::vector<Import> imports;
  for (int i = 0; i < file.dependency_size(); ++i) {
    bool is_public = std::find(file.public_dependency().begin(), file.public_dependency().end(),
                               i) != file.public_dependency().end();
    bool is_weak = std::find(file.weak_dependency().begin(), file.weak_dependency().end(), i) !=
                   file.weak_dependency().end();
    imports.push_back({file.dependency(i), is_public, is_weak});
  }
  std::sort(imports.begin(), imports.end(),
            [](const Import& a, const Import& b) { return a.name < b.name; });
  file.clear_dependency();
  file.clear_public_dependency();
  file.clear_weak_dependency();
  for (int i = 0; i < static_cast<int>(imports.size()); ++i) {
    file.add_dependency(imports[i].name);
    if (imports[i].is_public) file.add_public_dependency(i);
    if (imports[i].is_weak) file.add_weak_dependency(i);
  }
}

void CollectMessageNames(const gp::Descriptor& message, std::vector<std::string>& names) {
  if (message.options().map_entry()) return;
  names.push_back(message.full_name());
  for (int i = 0; i < message.nested_type_count(); ++i) {
    CollectMessageNames(*message.nested_type(i), names);
  }
}

}  // namespace

std::vector<std::string> ProtobufSchema::MessageNames() const {
  std::vector<std::string> names;
  for (int i = 0; i < file_->message_type_count(); ++i) {
    CollectMessageNames(*file_->message_type(i), names);
  }
  return names;
}

const std::string* ProtobufSchema::ReferenceText(
    const google::protobuf::FileDescriptor& file) const {
  if (&file == file_) return nullptr;
  auto it = reference_texts_.find(file.name());
  return it == reference_texts_.end() ? nullptr : &it->second;
}

absl::StatusOr<std::shared_ptr<const ParsedSchema>> Parse(
    std::string_view text, const std::vector<ResolvedReference>& references) {
  std::shared_ptr<ProtobufSchema> schema(new ProtobufSchema());

  // References go into a database the dependency pool loads from on demand, so their order
  // does not matter; well-known types come from the descriptors compiled into libprotobuf.
  schema->reference_db_ = std::make_unique<gp::SimpleDescriptorDatabase>();
  for (const ResolvedReference& reference : references) {
    if (reference.type != SchemaType::kProtobuf) {
      return absl::InvalidArgumentError(
          absl::StrCat("reference '", reference.name, "' is not a Protobuf schema"));
    }
    if (reference.name == kMainFileName) continue;  // cannot collide with a real import path
    absl::StatusOr<gp::FileDescriptorProto> proto =
        ParseFile(reference.text, reference.name, nullptr);
    if (!proto.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("reference '", reference.name, "': ", proto.status().message()));
    }
    // The same import may be listed twice (diamond imports); keep the first.
    if (!schema->reference_texts_.emplace(reference.name, reference.text).second) continue;
    if (!schema->reference_db_->Add(*proto)) {
      return absl::InvalidArgumentError(
          absl::StrCat("reference '", reference.name, "' redefines a file or symbol"));
    }
  }
  schema->well_known_db_ =
      std::make_unique<gp::DescriptorPoolDatabase>(*gp::DescriptorPool::generated_pool());
  schema->dependency_db_ = std::make_unique<gp::MergedDescriptorDatabase>(
      schema->reference_db_.get(), schema->well_known_db_.get());
  auto dependency_errors = std::make_unique<BuildErrorCollector>();
  const BuildErrorCollector& reference_errors = *dependency_errors;
  schema->dependency_errors_ = std::move(dependency_errors);
  schema->dependency_pool_ = std::make_unique<gp::DescriptorPool>(schema->dependency_db_.get(),
                                                                  schema->dependency_errors_.get());
  schema->pool_ = std::make_unique<gp::DescriptorPool>(schema->dependency_pool_.get());

  gp::compiler::SourceLocationTable locations;
  absl::StatusOr<gp::FileDescriptorProto> proto = ParseFile(text, kMainFileName, &locations);
  if (!proto.ok()) return proto.status();
  BuildErrorCollector errors(&locations);
  schema->file_ = schema->pool_->BuildFileCollectingErrors(*proto, &errors);
  if (schema->file_ == nullptr) {
    std::vector<std::string> all = errors.errors();
    all.insert(all.end(), reference_errors.errors().begin(), reference_errors.errors().end());
    if (all.empty()) all.push_back("the schema could not be built");
    return absl::InvalidArgumentError(
        absl::StrCat("invalid Protobuf schema: ", absl::StrJoin(all, "; ")));
  }
  schema->canonical_ = schema->file_->DebugString();

  // The normalized form is rebuilt in a throwaway overlay on the same dependencies.
  gp::FileDescriptorProto normalized;
  schema->file_->CopyTo(&normalized);
  SortImports(normalized);
  for (gp::DescriptorProto& message : *normalized.mutable_message_type()) {
    SortFieldsByNumber(message);
  }
  gp::DescriptorPool normalized_pool(schema->dependency_pool_.get());
  const gp::FileDescriptor* normalized_file = normalized_pool.BuildFile(normalized);
  schema->normalized_ =
      normalized_file != nullptr ? normalized_file->DebugString() : schema->canonical_;
  return schema;
}

}  // namespace cdcflow::schema_registry::protobuf
