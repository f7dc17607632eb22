#include "services/schema-registry/schema/avro_compatibility.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/schema-registry/schema/avro.h"

namespace cdcflow::schema_registry::avro {
namespace {

using Result = std::vector<Incompatibility>;

// Java's Schema.Type names, as its messages print them: "INT", "RECORD", ...
std::string JavaTypeName(Type type) {
  std::string_view name = TypeName(type);
  return absl::AsciiStrToUpper(absl::string_view(name.data(), name.size()));
}

std::string DisplayPath(const std::string& path) { return path.empty() ? "/" : path; }

Incompatibility TypeMismatch(const Node& reader, const Node& writer, const std::string& path) {
  return {"TYPE_MISMATCH", DisplayPath(path),
          absl::StrCat("The type (path '", DisplayPath(path),
                       "') of a field in the new schema does not match with the old schema"),
          absl::StrCat("reader type: ", JavaTypeName(reader.type),
                       " not compatible with writer type: ", JavaTypeName(writer.type))};
}

Incompatibility MissingUnionBranch(const Node& writer, const std::string& path) {
  return {"MISSING_UNION_BRANCH", DisplayPath(path),
          absl::StrCat("The new schema is missing a type inside a union field at path '",
                       DisplayPath(path), "' in the old schema"),
          absl::StrCat("reader union lacking writer type: ", JavaTypeName(writer.type))};
}

void Append(Result more, Result* result) {
  result->insert(result->end(), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
}

// The writer field a reader field reads: same name, else one named by a reader field alias.
const Field* FindWriterField(const Node& writer, const Field& reader_field) {
  auto by_name = [&](const std::string& name) -> const Field* {
    for (const Field& field : writer.fields) {
      if (field.name == name) return &field;
    }
    return nullptr;
  };
  if (const Field* direct = by_name(reader_field.name)) return direct;
  for (const std::string& alias : reader_field.aliases) {
    if (const Field* aliased = by_name(alias)) return aliased;
  }
  return nullptr;
}

// Walks reader and writer together. A (reader, writer) pair met again while it is still being
// checked (a recursive schema) counts as compatible, which ends the recursion; finished pairs
// are remembered so shared types are checked once.
class Checker {
 public:
  Result Check(const Node& reader, const Node& writer) { return Compare(reader, writer, ""); }

 private:
  Result Compare(const Node& reader, const Node& writer, const std::string& path) {
    const auto key = std::make_pair(&reader, &writer);
    auto it = memo_.find(key);
    if (it != memo_.end()) return it->second.value_or(Result{});
    memo_.emplace(key, std::nullopt);
    Result result = Calculate(reader, writer, path);
    memo_[key] = result;
    return result;
  }

  Result Calculate(const Node& reader, const Node& writer, const std::string& path) {
    if (reader.type == writer.type) return CompareSameType(reader, writer, path);
    // Every branch a writer union may have written must be readable.
    if (writer.type == Type::kUnion) {
      Result result;
      for (const Node* branch : writer.branches) Append(Compare(reader, *branch, path), &result);
      return result;
    }
    if (reader.type == Type::kUnion) {
      for (const Node* branch : reader.branches) {
        if (Compare(*branch, writer, path).empty()) return {};
      }
      return {MissingUnionBranch(writer, path)};
    }
    if (IsPromotion(writer.type, reader.type)) return {};
    return {TypeMismatch(reader, writer, path)};
  }

  // The spec's promotions: int to long, float or double; long to float or double; float to
  // double; string and bytes either way.
  static bool IsPromotion(Type from, Type to) {
    switch (to) {
      case Type::kLong:
        return from == Type::kInt;
      case Type::kFloat:
        return from == Type::kInt || from == Type::kLong;
      case Type::kDouble:
        return from == Type::kInt || from == Type::kLong || from == Type::kFloat;
      case Type::kBytes:
        return from == Type::kString;
      case Type::kString:
        return from == Type::kBytes;
      default:
        return false;
    }
  }

  Result CompareSameType(const Node& reader, const Node& writer, const std::string& path) {
    Result result;
    switch (reader.type) {
      case Type::kArray:
        return Compare(*reader.items, *writer.items, absl::StrCat(path, "/items"));
      case Type::kMap:
        return Compare(*reader.values, *writer.values, absl::StrCat(path, "/values"));
      case Type::kFixed:
        Append(CompareNames(reader, writer, path), &result);
        Append(CompareSizes(reader, writer, path), &result);
        return result;
      case Type::kEnum:
        Append(CompareNames(reader, writer, path), &result);
        Append(CompareSymbols(reader, writer, path), &result);
        return result;
      case Type::kRecord:
        Append(CompareNames(reader, writer, path), &result);
        Append(CompareFields(reader, writer, path), &result);
        return result;
      case Type::kUnion:
        // Each writer branch must be readable by some reader branch.
        for (size_t i = 0; i < writer.branches.size(); ++i) {
          if (!Compare(reader, *writer.branches[i], path).empty()) {
            result.push_back(MissingUnionBranch(*writer.branches[i], absl::StrCat(path, "/", i)));
          }
        }
        return result;
      default:  // the same primitive
        return result;
    }
  }

  // Named types match by unqualified name, or when a reader alias is the writer's full name.
  static Result CompareNames(const Node& reader, const Node& writer, const std::string& path) {
    if (reader.name == writer.name) return {};
    const std::string writer_name = writer.FullName();
    if (std::find(reader.aliases.begin(), reader.aliases.end(), writer_name) !=
        reader.aliases.end()) {
      return {};
    }
    const std::string at = absl::StrCat(path, "/name");
    return {{"NAME_MISMATCH", at,
             absl::StrCat("The name of the schema has changed (path '", at, "')"),
             absl::StrCat("expected: ", writer_name)}};
  }

  static Result CompareSizes(const Node& reader, const Node& writer, const std::string& path) {
    if (reader.size == writer.size) return {};
    const std::string at = absl::StrCat(path, "/size");
    return {{"FIXED_SIZE_MISMATCH", at,
             absl::StrCat("The size of FIXED type field at path '", at,
                          "' in the new schema does not match with the old schema"),
             absl::StrCat("expected: ", writer.size, ", found: ", reader.size)}};
  }

  // A writer symbol the reader lacks is readable only as the reader enum's default.
  static Result CompareSymbols(const Node& reader, const Node& writer, const std::string& path) {
    std::set<std::string> missing(writer.symbols.begin(), writer.symbols.end());
    for (const std::string& symbol : reader.symbols) missing.erase(symbol);
    if (missing.empty() || reader.enum_default) return {};
    const std::string at = absl::StrCat(path, "/symbols");
    const std::string symbols = absl::StrCat("[", absl::StrJoin(missing, ", "), "]");
    return {{"MISSING_ENUM_SYMBOLS", at,
             absl::StrCat("The new schema is missing enum symbols '", symbols, "' at path '", at,
                          "' in the old schema"),
             symbols}};
  }

  // Every reader field is read from its writer field or, missing there, takes its default;
  // writer fields the reader does not have are skipped.
  Result CompareFields(const Node& reader, const Node& writer, const std::string& path) {
    Result result;
    for (size_t i = 0; i < reader.fields.size(); ++i) {
      const Field& field = reader.fields[i];
      const std::string at = absl::StrCat(path, "/fields/", i);
      if (const Field* written = FindWriterField(writer, field)) {
        Append(Compare(*field.type, *written->type, absl::StrCat(at, "/type")), &result);
      } else if (!field.default_value) {
        result.push_back({"READER_FIELD_MISSING_DEFAULT_VALUE", at,
                          absl::StrCat("The field '", field.name, "' at path '", at,
                                       "' in the new schema has no default value and is "
                                       "missing in the old schema"),
                          field.name});
      }
    }
    return result;
  }

  // nullopt while the pair is being checked.
  std::map<std::pair<const Node*, const Node*>, std::optional<Result>> memo_;
};

// A type met through several paths can report the same finding more than once.
Result WithoutDuplicates(Result result) {
  Result unique;
  for (Incompatibility& found : result) {
    const bool seen = std::any_of(unique.begin(), unique.end(), [&](const Incompatibility& u) {
      return u.error_type == found.error_type && u.path == found.path &&
             u.additional_info == found.additional_info;
    });
    if (!seen) unique.push_back(std::move(found));
  }
  return unique;
}

}  // namespace

std::vector<Incompatibility> CheckCompatibility(const ParsedSchema& reader,
                                                const ParsedSchema& writer) {
  const auto* avro_reader = dynamic_cast<const AvroSchema*>(&reader);
  const auto* avro_writer = dynamic_cast<const AvroSchema*>(&writer);
  if (avro_reader == nullptr || avro_writer == nullptr) {
    const std::string_view reader_type = SchemaTypeName(reader.type());
    const std::string_view writer_type = SchemaTypeName(writer.type());
    return {
        {"TYPE_MISMATCH", "/", "An Avro schema can only be compared with an Avro schema",
         absl::StrCat("reader: ", absl::string_view(reader_type.data(), reader_type.size()),
                      ", writer: ", absl::string_view(writer_type.data(), writer_type.size()))}};
  }
  return WithoutDuplicates(Checker().Check(avro_reader->root(), avro_writer->root()));
}

}  // namespace cdcflow::schema_registry::avro
