#include "services/schema-registry/schema/protobuf_compatibility.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/schema-registry/schema/protobuf.h"

namespace cdcflow::schema_registry::protobuf {
namespace {

namespace gp = ::google::protobuf;

// Confluent's Difference.Type names for the changes that break compatibility. Compatible
// changes (FIELD_ADDED, FIELD_REMOVED, FIELD_NAME_CHANGED, MESSAGE_ADDED, ENUM_*, ONEOF_ADDED,
// ONEOF_REMOVED, ONEOF_FIELD_ADDED, FIELD_STRING_OR_BYTES_LABEL_CHANGED) are never reported.
constexpr char kPackageChanged[] = "PACKAGE_CHANGED";
constexpr char kMessageRemoved[] = "MESSAGE_REMOVED";
constexpr char kFieldKindChanged[] = "FIELD_KIND_CHANGED";
constexpr char kFieldScalarKindChanged[] = "FIELD_SCALAR_KIND_CHANGED";
constexpr char kFieldNamedTypeChanged[] = "FIELD_NAMED_TYPE_CHANGED";
constexpr char kFieldNumericLabelChanged[] = "FIELD_NUMERIC_LABEL_CHANGED";
constexpr char kRequiredFieldAdded[] = "REQUIRED_FIELD_ADDED";
constexpr char kRequiredFieldRemoved[] = "REQUIRED_FIELD_REMOVED";
constexpr char kOneofFieldRemoved[] = "ONEOF_FIELD_REMOVED";
constexpr char kMultipleFieldsMovedToOneof[] = "MULTIPLE_FIELDS_MOVED_TO_ONEOF";
constexpr char kFieldMovedToExistingOneof[] = "FIELD_MOVED_TO_EXISTING_ONEOF";

std::string Describe(std::string_view type, const std::string& path) {
  std::string_view what;
  if (type == kPackageChanged) {
    what = "The package differs between the reader and the writer schema";
  } else if (type == kMessageRemoved) {
    what = "A message in the writer schema is missing in the reader schema";
  } else if (type == kFieldKindChanged) {
    what = "The kind of a field (SCALAR, MESSAGE or MAP) differs in the reader schema";
  } else if (type == kFieldScalarKindChanged) {
    what = "The type of a SCALAR field changed to a wire-incompatible one in the reader schema";
  } else if (type == kFieldNamedTypeChanged) {
    what = "The type of a MESSAGE field changed in the reader schema";
  } else if (type == kFieldNumericLabelChanged) {
    what = "The label of a NUMERIC field changed in the reader schema";
  } else if (type == kRequiredFieldAdded) {
    what = "The reader schema has an additional required field";
  } else if (type == kRequiredFieldRemoved) {
    what = "A required field in the writer schema is missing in the reader schema";
  } else if (type == kOneofFieldRemoved) {
    what = "A oneof field in the writer schema is missing in the reader schema";
  } else if (type == kMultipleFieldsMovedToOneof) {
    what = "Multiple fields were moved into a oneof in the reader schema";
  } else {
    what = "A field was moved into an existing oneof in the reader schema";
  }
  return absl::StrCat(absl::string_view(what.data(), what.size()), " at path '", path, "'");
}

enum class Kind { kScalar, kMessage, kMap };

// Confluent's scalar groups: types within a group share a wire encoding, so one reads the
// other (with truncation for the integers). Enums read as varints.
enum class ScalarKind {
  kGeneralNumber,
  kSignedNumber,
  kStringOrBytes,
  kFixed32,
  kFixed64,
  kFloat,
  kDouble
};

ScalarKind ScalarKindOf(gp::FieldDescriptor::Type type) {
  switch (type) {
    case gp::FieldDescriptor::TYPE_SINT32:
    case gp::FieldDescriptor::TYPE_SINT64:
      return ScalarKind::kSignedNumber;
    case gp::FieldDescriptor::TYPE_STRING:
    case gp::FieldDescriptor::TYPE_BYTES:
      return ScalarKind::kStringOrBytes;
    case gp::FieldDescriptor::TYPE_FIXED32:
    case gp::FieldDescriptor::TYPE_SFIXED32:
      return ScalarKind::kFixed32;
    case gp::FieldDescriptor::TYPE_FIXED64:
    case gp::FieldDescriptor::TYPE_SFIXED64:
      return ScalarKind::kFixed64;
    case gp::FieldDescriptor::TYPE_FLOAT:
      return ScalarKind::kFloat;
    case gp::FieldDescriptor::TYPE_DOUBLE:
      return ScalarKind::kDouble;
    default:  // int32, int64, uint32, uint64, bool, enum
      return ScalarKind::kGeneralNumber;
  }
}

Kind KindOf(const gp::FieldDescriptor& field) {
  if (field.is_map()) return Kind::kMap;
  if (field.type() == gp::FieldDescriptor::TYPE_MESSAGE ||
      field.type() == gp::FieldDescriptor::TYPE_GROUP) {
    return Kind::kMessage;
  }
  return Kind::kScalar;
}

// A type's name relative to its file's package, e.g. "Outer.Inner".
std::string LocalName(const gp::Descriptor& message) {
  const std::string& package = message.file()->package();
  if (package.empty()) return message.full_name();
  return message.full_name().substr(package.size() + 1);
}

std::map<std::string, const gp::Descriptor*> MessagesByName(
    const std::vector<const gp::Descriptor*>& messages) {
  std::map<std::string, const gp::Descriptor*> by_name;
  for (const gp::Descriptor* message : messages) {
    if (!message->options().map_entry()) by_name.emplace(message->name(), message);
  }
  return by_name;
}

// Walks the writer ("original", as Confluent calls the old schema) and the reader ("update")
// side by side, recording incompatible differences at a path like "#/Outer/Inner/3".
class Differ {
 public:
  Differ(const ProtobufSchema& reader, const ProtobufSchema& writer)
      : reader_(reader), writer_(writer) {}

  void CompareFiles() {
    if (writer_.file().package() != reader_.file().package()) Add(kPackageChanged);
    CompareTypes(TopLevelMessages(writer_.file()), TopLevelMessages(reader_.file()));
  }

  std::vector<Incompatibility> TakeResult() { return std::move(result_); }

 private:
  static std::vector<const gp::Descriptor*> TopLevelMessages(const gp::FileDescriptor& file) {
    std::vector<const gp::Descriptor*> messages;
    for (int i = 0; i < file.message_type_count(); ++i) messages.push_back(file.message_type(i));
    return messages;
  }
  static std::vector<const gp::Descriptor*> NestedMessages(const gp::Descriptor& message) {
    std::vector<const gp::Descriptor*> messages;
    for (int i = 0; i < message.nested_type_count(); ++i) {
      messages.push_back(message.nested_type(i));
    }
    return messages;
  }

  void Add(std::string_view type) {
    std::string path = absl::StrCat("#/", absl::StrJoin(path_, "/"));
    Incompatibility incompatibility;
    incompatibility.error_type = std::string(type);
    incompatibility.description = Describe(type, path);
    incompatibility.path = std::move(path);
    result_.push_back(std::move(incompatibility));
  }

  // RAII push of one path element.
  class PathScope {
   public:
    PathScope(Differ& differ, std::string element) : differ_(differ) {
      differ_.path_.push_back(std::move(element));
    }
    ~PathScope() { differ_.path_.pop_back(); }

   private:
    Differ& differ_;
  };

  void CompareTypes(const std::vector<const gp::Descriptor*>& original,
                    const std::vector<const gp::Descriptor*>& update) {
    std::map<std::string, const gp::Descriptor*> original_by_name = MessagesByName(original);
    std::map<std::string, const gp::Descriptor*> update_by_name = MessagesByName(update);
    for (const auto& [name, message] : original_by_name) {
      PathScope scope(*this, name);
      auto it = update_by_name.find(name);
      if (it == update_by_name.end()) {
        Add(kMessageRemoved);
      } else {
        CompareMessage(*message, *it->second);
      }
    }
    // Added messages and every enum change are compatible.
  }

  void CompareMessage(const gp::Descriptor& original, const gp::Descriptor& update) {
    // A recursive type is compared once per chain.
    bool entered = active_.insert(&original).second;
    if (entered) CompareFields(original, update);
    CompareTypes(NestedMessages(original), NestedMessages(update));
    if (entered) active_.erase(&original);
  }

  void CompareFields(const gp::Descriptor& original, const gp::Descriptor& update) {
    // Top-level fields (proto3 `optional` fields sit in synthetic oneofs and count as top-level)
    // and every field by number with the real oneof it belongs to, if any.
    std::map<int, const gp::FieldDescriptor*> original_top, update_top;
    std::map<int, const gp::FieldDescriptor*> original_all, update_all;
    std::map<int, std::string> original_oneof_of, update_oneof_of;
    for (int i = 0; i < original.field_count(); ++i) {
      const gp::FieldDescriptor* field = original.field(i);
      original_all[field->number()] = field;
      if (const gp::OneofDescriptor* oneof = field->real_containing_oneof()) {
        original_oneof_of[field->number()] = oneof->name();
      } else {
        original_top[field->number()] = field;
      }
    }
    for (int i = 0; i < update.field_count(); ++i) {
      const gp::FieldDescriptor* field = update.field(i);
      update_all[field->number()] = field;
      if (const gp::OneofDescriptor* oneof = field->real_containing_oneof()) {
        update_oneof_of[field->number()] = oneof->name();
      } else {
        update_top[field->number()] = field;
      }
    }

    // A oneof may absorb at most one former top-level field (its value stays readable; two
    // would both be set in old data, which a oneof cannot hold), and then no field that was
    // already in a oneof.
    std::map<std::string, const gp::OneofDescriptor*> original_oneofs, update_oneofs;
    for (int i = 0; i < original.real_oneof_decl_count(); ++i) {
      original_oneofs[original.oneof_decl(i)->name()] = original.oneof_decl(i);
    }
    for (int i = 0; i < update.real_oneof_decl_count(); ++i) {
      const gp::OneofDescriptor* oneof = update.oneof_decl(i);
      update_oneofs[oneof->name()] = oneof;
      PathScope scope(*this, oneof->name());
      int moved = 0;
      int existing = 0;
      for (int j = 0; j < oneof->field_count(); ++j) {
        int number = oneof->field(j)->number();
        if (original_top.erase(number) > 0) {
          ++moved;
        } else if (original_oneof_of.count(number) > 0) {
          ++existing;
        }
      }
      if (moved > 1) {
        Add(kMultipleFieldsMovedToOneof);
      } else if (moved == 1 && existing > 0) {
        Add(kFieldMovedToExistingOneof);
      }
    }

    // Oneofs present on both sides, by name; adding or removing a whole oneof is compatible.
    for (const auto& [name, original_oneof] : original_oneofs) {
      auto it = update_oneofs.find(name);
      if (it == update_oneofs.end()) continue;
      PathScope scope(*this, name);
      std::map<int, const gp::FieldDescriptor*> update_members;
      for (int j = 0; j < it->second->field_count(); ++j) {
        update_members[it->second->field(j)->number()] = it->second->field(j);
      }
      for (int j = 0; j < original_oneof->field_count(); ++j) {
        const gp::FieldDescriptor* field = original_oneof->field(j);
        PathScope field_scope(*this, absl::StrCat(field->number()));
        auto member = update_members.find(field->number());
        if (member != update_members.end()) {
          CompareField(*field, *member->second);
        } else if (update_all.count(field->number()) == 0) {
          // Moved elsewhere is fine (compared below); deleted loses the oneof's value.
          Add(kOneofFieldRemoved);
        }
      }
    }

    // Top-level fields by number.
    std::set<int> numbers;
    for (const auto& entry : original_top) numbers.insert(entry.first);
    for (const auto& entry : update_top) numbers.insert(entry.first);
    for (int number : numbers) {
      PathScope scope(*this, absl::StrCat(number));
      auto o = original_top.find(number);
      auto u = update_top.find(number);
      if (u == update_top.end()) {
        if (o->second->is_required()) Add(kRequiredFieldRemoved);
      } else if (o == original_top.end()) {
        if (u->second->is_required()) Add(kRequiredFieldAdded);
      } else {
        CompareField(*o->second, *u->second);
      }
    }

    // Fields whose oneof membership changed were not compared above: compare them by number.
    for (const auto& [number, original_field] : original_all) {
      auto u = update_all.find(number);
      if (u == update_all.end()) continue;
      auto original_oneof = original_oneof_of.find(number);
      auto update_oneof = update_oneof_of.find(number);
      bool top_level_in_both =
          original_oneof == original_oneof_of.end() && update_oneof == update_oneof_of.end();
      bool same_oneof = original_oneof != original_oneof_of.end() &&
                        update_oneof != update_oneof_of.end() &&
                        original_oneof->second == update_oneof->second;
      if (top_level_in_both || same_oneof) continue;
      PathScope scope(*this, absl::StrCat(number));
      CompareField(*original_field, *u->second);
    }
  }

  // Label as Confluent compares it. Deviation: a proto3 field without a label counts as
  // OPTIONAL (Confluent leaves it out), so singular <-> repeated numbers are caught in proto3.
  static gp::FieldDescriptor::Label LabelOf(const gp::FieldDescriptor& field) {
    return field.label();
  }

  void CompareField(const gp::FieldDescriptor& original, const gp::FieldDescriptor& update) {
    Kind original_kind = KindOf(original);
    Kind update_kind = KindOf(update);
    if (original_kind != update_kind) {
      Add(kFieldKindChanged);
      return;
    }
    switch (original_kind) {
      case Kind::kScalar:
        CompareScalars(original.type(), update.type(), LabelOf(original), LabelOf(update));
        break;
      case Kind::kMessage:
        CompareMessageTypes(*original.message_type(), *update.message_type());
        break;
      case Kind::kMap:
        CompareMapParts(*original.message_type()->map_key(), *update.message_type()->map_key());
        CompareMapParts(*original.message_type()->map_value(), *update.message_type()->map_value());
        break;
    }
  }

  // A map's key or value: labels are not compared.
  void CompareMapParts(const gp::FieldDescriptor& original, const gp::FieldDescriptor& update) {
    Kind original_kind = KindOf(original);
    if (original_kind != KindOf(update)) {
      Add(kFieldKindChanged);
    } else if (original_kind == Kind::kScalar) {
      CompareScalars(original.type(), update.type(), std::nullopt, std::nullopt);
    } else if (original_kind == Kind::kMessage) {
      CompareMessageTypes(*original.message_type(), *update.message_type());
    }
  }

  void CompareScalars(gp::FieldDescriptor::Type original, gp::FieldDescriptor::Type update,
                      std::optional<gp::FieldDescriptor::Label> original_label,
                      std::optional<gp::FieldDescriptor::Label> update_label) {
    ScalarKind kind = ScalarKindOf(original);
    if (kind != ScalarKindOf(update)) {
      Add(kFieldScalarKindChanged);
      return;
    }
    // Strings and bytes read the same as one value or many; numbers do not (packed encoding).
    if (original_label && update_label && *original_label != *update_label &&
        kind != ScalarKind::kStringOrBytes) {
      Add(kFieldNumericLabelChanged);
    }
  }

  // Whether two same-named types are known to be identical without comparing them: both in the
  // schemas' own files (compared by the type walk), the same reference text, or the same
  // well-known type from libprotobuf.
  bool SameDefinition(const gp::Descriptor& original, const gp::Descriptor& update) const {
    const gp::FileDescriptor* original_file = original.file();
    const gp::FileDescriptor* update_file = update.file();
    bool original_main = original_file == &writer_.file();
    bool update_main = update_file == &reader_.file();
    if (original_main || update_main) return original_main && update_main;
    if (original_file->name() != update_file->name()) return false;
    const std::string* original_text = writer_.ReferenceText(*original_file);
    const std::string* update_text = reader_.ReferenceText(*update_file);
    if (original_text == nullptr || update_text == nullptr) {
      return original_text == update_text;  // both well-known
    }
    return *original_text == *update_text;
  }

  void CompareMessageTypes(const gp::Descriptor& original, const gp::Descriptor& update) {
    std::string local_name = LocalName(original);
    if (local_name != LocalName(update)) {
      Add(kFieldNamedTypeChanged);
      return;
    }
    if (SameDefinition(original, update)) return;
    // Compare the two definitions at the type's own path; any break in them breaks the field.
    size_t before = result_.size();
    std::vector<std::string> saved_path = std::move(path_);
    path_ = absl::StrSplit(local_name, '.');
    CompareMessage(original, update);
    path_ = std::move(saved_path);
    if (result_.size() > before) Add(kFieldNamedTypeChanged);
  }

  const ProtobufSchema& reader_;
  const ProtobufSchema& writer_;
  std::vector<std::string> path_;
  std::set<const gp::Descriptor*> active_;
  std::vector<Incompatibility> result_;
};

}  // namespace

std::vector<Incompatibility> CheckCompatibility(const ParsedSchema& reader,
                                                const ParsedSchema& writer) {
  const auto* reader_schema = dynamic_cast<const ProtobufSchema*>(&reader);
  const auto* writer_schema = dynamic_cast<const ProtobufSchema*>(&writer);
  if (reader_schema == nullptr || writer_schema == nullptr) {
    return {Incompatibility{
        .error_type = "TYPE_MISMATCH",
        .path = "#/",
        .description = "Both schemas must be Protobuf schemas",
    }};
  }
  Differ differ(*reader_schema, *writer_schema);
  differ.CompareFiles();
  return differ.TakeResult();
}

}  // namespace cdcflow::schema_registry::protobuf
