#include "services/schema-registry/schema/avro.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace cdcflow::schema_registry::avro {
namespace {

// Abseil here predates std::string_view interop (C++14 build).
absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Attributes with a meaning of their own; every other attribute is a custom property.
constexpr std::string_view kSchemaReserved[] = {"doc",  "fields",  "items",  "name", "namespace",
                                                "size", "symbols", "values", "type", "aliases"};
constexpr std::string_view kFieldReserved[] = {"default", "doc",  "name",
                                               "order",   "type", "aliases"};

// Record default values nest; a recursive record could make their check endless.
constexpr int kMaxDefaultDepth = 64;
// Types nested deeper than this are refused (real schemas stay far below it).
constexpr int kMaxNesting = 200;

std::optional<Type> PrimitiveType(std::string_view name) {
  static const std::map<std::string_view, Type> kPrimitives = {
      {"null", Type::kNull},   {"boolean", Type::kBoolean}, {"int", Type::kInt},
      {"long", Type::kLong},   {"float", Type::kFloat},     {"double", Type::kDouble},
      {"bytes", Type::kBytes}, {"string", Type::kString},
  };
  auto it = kPrimitives.find(name);
  if (it == kPrimitives.end()) return std::nullopt;
  return it->second;
}

// [A-Za-z_][A-Za-z0-9_]*, the spec's rule for names, field names and enum symbols.
bool IsValidName(std::string_view name) {
  if (name.empty()) return false;
  auto letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!letter(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [&](char c) { return letter(c) || (c >= '0' && c <= '9'); });
}

// Splits "a.b.C" into {"a.b", "C"}; a name without a dot takes `space`.
std::pair<std::string, std::string> SplitName(std::string_view name, std::string_view space) {
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return {std::string(space), std::string(name)};
  return {std::string(name.substr(0, dot)), std::string(name.substr(dot + 1))};
}

std::string JoinName(std::string_view space, std::string_view name) {
  if (space.empty()) return std::string(name);
  return absl::StrCat(Sv(space), ".", Sv(name));
}

std::string DisplayPath(std::string_view path) { return path.empty() ? "/" : std::string(path); }

absl::Status InvalidAt(std::string_view path, std::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat("Invalid Avro schema at '", DisplayPath(path), "': ", Sv(message)));
}

// A JSON value shortened for error messages, cut between UTF-8 characters so that the message
// stays valid UTF-8.
std::string Excerpt(const Json& json) {
  // Only scalars are printed: dumping a structure recurses once per level of it.
  if (json.is_structured()) return json.is_object() ? "an object" : "an array";
  std::string text = json.dump();
  if (text.size() <= 80) return text;
  size_t cut = 77;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return absl::StrCat(text.substr(0, cut), "...");
}

Json CustomProps(const Json& object, const std::vector<std::string_view>& reserved) {
  Json props = Json::object();
  for (const auto& [key, value] : object.items()) {
    if (std::find(reserved.begin(), reserved.end(), key) == reserved.end()) props[key] = value;
  }
  return props;
}

std::vector<std::string_view> SchemaReserved(bool is_enum) {
  std::vector<std::string_view> reserved(std::begin(kSchemaReserved), std::end(kSchemaReserved));
  if (is_enum) reserved.push_back("default");  // an enum's default symbol
  return reserved;
}

std::optional<int64_t> IntProp(const Json& props, const char* key) {
  auto it = props.find(key);
  if (it == props.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

// Java's LogicalTypes.fromSchemaIgnoreInvalid: a logical type that does not fit its underlying
// type is not an error, it is just not a logical type.
std::string ValidLogicalType(const Node& node) {
  auto it = node.props.find("logicalType");
  if (it == node.props.end() || !it->is_string()) return "";
  const std::string name = it->get<std::string>();
  if (name == "decimal") {
    if (node.type != Type::kBytes && node.type != Type::kFixed) return "";
    std::optional<int64_t> precision = IntProp(node.props, "precision");
    std::optional<int64_t> scale =
        node.props.contains("scale") ? IntProp(node.props, "scale") : std::optional<int64_t>(0);
    if (!precision || *precision <= 0 || !scale || *scale < 0 || *scale > *precision) return "";
    if (node.type == Type::kFixed) {
      double max_precision = std::floor(std::log10(std::pow(2.0, 8.0 * node.size - 1) - 1));
      if (static_cast<double>(*precision) > max_precision) return "";
    }
    return name;
  }
  static const std::map<std::string_view, Type> kSimple = {
      {"uuid", Type::kString},
      {"date", Type::kInt},
      {"time-millis", Type::kInt},
      {"time-micros", Type::kLong},
      {"timestamp-millis", Type::kLong},
      {"timestamp-micros", Type::kLong},
      {"local-timestamp-millis", Type::kLong},
      {"local-timestamp-micros", Type::kLong},
  };
  if (name == "duration") return node.type == Type::kFixed && node.size == 12 ? name : "";
  auto simple = kSimple.find(name);
  return simple != kSimple.end() && simple->second == node.type ? name : "";
}

// "NaN", "Infinity", "-Infinity" and the like, which Java reads as double defaults.
bool IsNonFinite(const Json& value) {
  const std::string& text = value.get_ref<const std::string&>();
  char* end = nullptr;
  double number = std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size() && !std::isfinite(number);
}

// Whether `value` is a valid default for `type` (Java's Schema.isValidDefault): a union's
// default belongs to its first branch.
// `depth` is 0 for the field's own type.
bool IsValidDefault(const Node& type, const Json& value, int depth) {
  if (depth > kMaxDefaultDepth) return false;
  switch (type.type) {
    case Type::kNull:
      return value.is_null();
    case Type::kBoolean:
      return value.is_boolean();
    case Type::kInt:
      if (value.is_number_unsigned()) {
        return value.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int32_t>::max());
      }
      return value.is_number_integer() &&
             value.get<int64_t>() >= std::numeric_limits<int32_t>::min() &&
             value.get<int64_t>() <= std::numeric_limits<int32_t>::max();
    case Type::kLong:
      if (value.is_number_unsigned()) {
        return value.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
      }
      return value.is_number_integer();
    case Type::kFloat:
    case Type::kDouble:
      // A field's own float/double default may be "NaN" or "Infinity" (see FloatingDefault).
      return value.is_number() || (depth == 0 && value.is_string() && IsNonFinite(value));
    case Type::kBytes:
    case Type::kString:
    case Type::kEnum:
    case Type::kFixed:
      return value.is_string();
    case Type::kArray:
      return value.is_array() && std::all_of(value.begin(), value.end(), [&](const Json& item) {
               return IsValidDefault(*type.items, item, depth + 1);
             });
    case Type::kMap:
      return value.is_object() && std::all_of(value.begin(), value.end(), [&](const Json& item) {
               return IsValidDefault(*type.values, item, depth + 1);
             });
    case Type::kUnion:
      return !type.branches.empty() && IsValidDefault(*type.branches.front(), value, depth + 1);
    case Type::kRecord:
      if (!value.is_object()) return false;
      for (const Field& field : type.fields) {
        auto given = value.find(field.name);
        if (given != value.end()) {
          if (!IsValidDefault(*field.type, *given, depth + 1)) return false;
        } else if (!field.default_value ||
                   !IsValidDefault(*field.type, *field.default_value, depth + 1)) {
          return false;
        }
      }
      return true;
  }
  return false;
}

// Builds the node graph from JSON, keeping the named types it has seen so that later schemas
// (the main one after its references) can use them by name.
class SchemaParser {
 public:
  explicit SchemaParser(std::vector<std::unique_ptr<Node>>* arena) : arena_(arena) {}

  absl::StatusOr<const Node*> ParseDocument(std::string_view text) {
    Json json;
    try {
      json = Json::parse(text);
    } catch (const Json::exception& e) {
      return absl::InvalidArgumentError(absl::StrCat("Invalid JSON: ", e.what()));
    }
    pending_defaults_.clear();
    ASSIGN_OR_RETURN(Node * root, ParseType(json, "", ""));
    RETURN_IF_ERROR(ValidateDefaults());
    return root;
  }

  // The named types defined so far, in definition order.
  std::vector<const Node*> DefinedTypes() const {
    return std::vector<const Node*>(defined_.begin(), defined_.end());
  }

 private:
  // A field default checked once every type is complete (a record may refer to itself).
  struct PendingDefault {
    const Node* record;
    size_t field;
    std::string path;
  };

  Node* NewNode(Type type) {
    arena_->push_back(std::make_unique<Node>(type));
    return arena_->back().get();
  }

  absl::StatusOr<Node*> ParseType(const Json& json, const std::string& space,
                                  const std::string& path) {
    // Parsing, printing and checking recurse once per level: a bounded depth keeps a hostile
    // schema from exhausting the stack.
    if (nesting_ >= kMaxNesting) {
      return InvalidAt(path, absl::StrCat("types nest more than ", kMaxNesting, " levels deep"));
    }
    ++nesting_;
    absl::StatusOr<Node*> node = ParseTypeAtDepth(json, space, path);
    --nesting_;
    return node;
  }

  absl::StatusOr<Node*> ParseTypeAtDepth(const Json& json, const std::string& space,
                                         const std::string& path) {
    if (json.is_string()) return ParseTypeName(json.get<std::string>(), space, path);
    if (json.is_object()) return ParseObject(json, space, path);
    if (json.is_array()) return ParseUnion(json, space, path);
    return InvalidAt(path, absl::StrCat("a schema must be a type name, an object or an array "
                                        "(a union), not ",
                                        Excerpt(json)));
  }

  // A primitive name, or the name of a named type defined before (Java's Names.get: relative to
  // the enclosing namespace first, then without namespace).
  absl::StatusOr<Node*> ParseTypeName(const std::string& name, const std::string& space,
                                      const std::string& path) {
    if (std::optional<Type> primitive = PrimitiveType(name)) return NewNode(*primitive);
    if (Node* named = FindNamed(name, space)) return named;
    return InvalidAt(path, absl::StrCat("unknown type '", name, "' (not a primitive nor a ",
                                        "named type defined before)"));
  }

  Node* FindNamed(const std::string& name, const std::string& space) {
    auto [name_space, short_name] = SplitName(name, space);
    auto it = names_.find(JoinName(name_space, short_name));
    if (it == names_.end()) it = names_.find(name);
    return it == names_.end() ? nullptr : it->second;
  }

  absl::StatusOr<Node*> ParseObject(const Json& json, const std::string& space,
                                    const std::string& path) {
    auto type_it = json.find("type");
    if (type_it == json.end()) return InvalidAt(path, "missing attribute \"type\"");
    if (!type_it->is_string()) {
      return InvalidAt(path, absl::StrCat("\"type\" must be a string, not ", Excerpt(*type_it)));
    }
    const std::string type = type_it->get<std::string>();
    if (std::optional<Type> primitive = PrimitiveType(type)) {
      Node* node = NewNode(*primitive);
      FinishAttributes(json, node);
      return node;
    }
    if (type == "record" || type == "error") return ParseRecord(json, space, path, type == "error");
    if (type == "enum") return ParseEnum(json, space, path);
    if (type == "fixed") return ParseFixed(json, space, path);
    if (type == "array" || type == "map") return ParseContainer(json, space, path, type == "array");
    // {"type": "SomeRecord"} refers to a named type; its other attributes are dropped, as in Java.
    if (Node* named = FindNamed(type, space)) return named;
    return InvalidAt(path, absl::StrCat("unknown type '", type, "'"));
  }

  // Custom properties and the logical type they may declare.
  static void FinishAttributes(const Json& json, Node* node) {
    node->props = CustomProps(json, SchemaReserved(node->type == Type::kEnum));
    node->logical_type = ValidLogicalType(*node);
  }

  // The name, namespace, doc and aliases every named type has; registers the name.
  absl::StatusOr<Node*> ParseNamed(Type type, const Json& json, const std::string& space,
                                   const std::string& path) {
    auto name_it = json.find("name");
    if (name_it == json.end()) return InvalidAt(path, "a named type needs a \"name\"");
    if (!name_it->is_string()) return InvalidAt(path, "\"name\" must be a string");
    // An explicit namespace replaces the enclosing one; a dotted name replaces both.
    std::string own_space = space;
    auto space_it = json.find("namespace");
    if (space_it != json.end() && space_it->is_string()) own_space = space_it->get<std::string>();
    auto [name_space, short_name] = SplitName(name_it->get<std::string>(), own_space);
    if (!IsValidName(short_name)) {
      return InvalidAt(path, absl::StrCat("invalid name '", short_name,
                                          "' (must match [A-Za-z_][A-Za-z0-9_]*)"));
    }
    Node* node = NewNode(type);
    node->name = short_name;
    node->space = name_space;
    const std::string full = node->FullName();
    if (PrimitiveType(full)) {
      return InvalidAt(
          path, absl::StrCat("a named type may not be named after a primitive: '", full, "'"));
    }
    if (!names_.emplace(full, node).second) {
      return InvalidAt(path, absl::StrCat("redefinition of type '", full, "'"));
    }
    defined_.push_back(node);
    auto doc_it = json.find("doc");
    if (doc_it != json.end() && doc_it->is_string()) node->doc = doc_it->get<std::string>();
    ASSIGN_OR_RETURN(std::vector<std::string> aliases, ParseAliases(json, path));
    for (const std::string& alias : aliases) {
      auto [alias_space, alias_name] = SplitName(alias, node->space);
      if (!IsValidName(alias_name)) {
        return InvalidAt(path, absl::StrCat("invalid alias '", alias, "'"));
      }
      AddUnique(JoinName(alias_space, alias_name), &node->aliases);
    }
    return node;
  }

  static void AddUnique(std::string value, std::vector<std::string>* values) {
    if (std::find(values->begin(), values->end(), value) == values->end()) {
      values->push_back(std::move(value));
    }
  }

  static absl::StatusOr<std::vector<std::string>> ParseAliases(const Json& json,
                                                               const std::string& path) {
    std::vector<std::string> aliases;
    auto it = json.find("aliases");
    if (it == json.end()) return aliases;
    if (!it->is_array()) return InvalidAt(path, "\"aliases\" must be an array of strings");
    for (const Json& alias : *it) {
      if (!alias.is_string()) {
        return InvalidAt(path, absl::StrCat("alias not a string: ", Excerpt(alias)));
      }
      AddUnique(alias.get<std::string>(), &aliases);
    }
    return aliases;
  }

  absl::StatusOr<Node*> ParseRecord(const Json& json, const std::string& space,
                                    const std::string& path, bool is_error) {
    ASSIGN_OR_RETURN(Node * node, ParseNamed(Type::kRecord, json, space, path));
    node->is_error = is_error;
    auto fields_it = json.find("fields");
    if (fields_it == json.end() || !fields_it->is_array()) {
      return InvalidAt(path,
                       absl::StrCat("record '", node->FullName(), "' needs \"fields\", an array"));
    }
    // Fields are built aside and attached at the end: a field's type may be this very record.
    std::vector<Field> fields;
    for (size_t i = 0; i < fields_it->size(); ++i) {
      const std::string field_path = absl::StrCat(path, "/fields/", i);
      ASSIGN_OR_RETURN(Field field, ParseField((*fields_it)[i], node->space, field_path));
      for (const Field& other : fields) {
        if (other.name == field.name) {
          return InvalidAt(field_path, absl::StrCat("duplicate field '", field.name,
                                                    "' in record '", node->FullName(), "'"));
        }
      }
      if (field.default_value) pending_defaults_.push_back({node, fields.size(), field_path});
      fields.push_back(std::move(field));
    }
    node->fields = std::move(fields);
    FinishAttributes(json, node);
    return node;
  }

  absl::StatusOr<Field> ParseField(const Json& json, const std::string& space,
                                   const std::string& path) {
    if (!json.is_object()) return InvalidAt(path, "a field must be an object");
    Field field;
    auto name_it = json.find("name");
    if (name_it == json.end() || !name_it->is_string()) {
      return InvalidAt(path, "a field needs a \"name\", a string");
    }
    field.name = name_it->get<std::string>();
    if (!IsValidName(field.name)) {
      return InvalidAt(path, absl::StrCat("invalid field name '", field.name,
                                          "' (must match [A-Za-z_][A-Za-z0-9_]*)"));
    }
    auto type_it = json.find("type");
    if (type_it == json.end()) {
      return InvalidAt(path, absl::StrCat("field '", field.name, "' has no \"type\""));
    }
    ASSIGN_OR_RETURN(Node * type, ParseType(*type_it, space, absl::StrCat(path, "/type")));
    field.type = type;
    auto doc_it = json.find("doc");
    if (doc_it != json.end() && doc_it->is_string()) field.doc = doc_it->get<std::string>();
    auto default_it = json.find("default");
    if (default_it != json.end()) field.default_value = FloatingDefault(*type, *default_it);
    ASSIGN_OR_RETURN(field.order, ParseOrder(json, path));
    ASSIGN_OR_RETURN(field.aliases, ParseAliases(json, path));
    field.props = CustomProps(
        json, std::vector<std::string_view>(std::begin(kFieldReserved), std::end(kFieldReserved)));
    return field;
  }

  // Java accepts a float or double default written as a string ("1.5", "NaN") and keeps the
  // number; NaN and infinities have no JSON number, so they stay strings.
  static Json FloatingDefault(const Node& type, const Json& value) {
    if ((type.type != Type::kFloat && type.type != Type::kDouble) || !value.is_string()) {
      return value;
    }
    const std::string text = value.get<std::string>();
    char* end = nullptr;
    double number = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size()) return value;
    if (std::isfinite(number)) return Json(number);
    return value;
  }

  static absl::StatusOr<FieldOrder> ParseOrder(const Json& json, const std::string& path) {
    auto it = json.find("order");
    if (it == json.end()) return FieldOrder::kAscending;
    std::string order = it->is_string() ? it->get<std::string>() : "";
    std::transform(order.begin(), order.end(), order.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (order == "ascending") return FieldOrder::kAscending;
    if (order == "descending") return FieldOrder::kDescending;
    if (order == "ignore") return FieldOrder::kIgnore;
    return InvalidAt(path, absl::StrCat("\"order\" must be \"ascending\", \"descending\" or ",
                                        "\"ignore\", not ", Excerpt(*it)));
  }

  absl::StatusOr<Node*> ParseEnum(const Json& json, const std::string& space,
                                  const std::string& path) {
    ASSIGN_OR_RETURN(Node * node, ParseNamed(Type::kEnum, json, space, path));
    auto symbols_it = json.find("symbols");
    if (symbols_it == json.end() || !symbols_it->is_array()) {
      return InvalidAt(path,
                       absl::StrCat("enum '", node->FullName(), "' needs \"symbols\", an array"));
    }
    for (const Json& symbol : *symbols_it) {
      if (!symbol.is_string() || !IsValidName(symbol.get_ref<const std::string&>())) {
        return InvalidAt(
            path, absl::StrCat("invalid enum symbol ", Excerpt(symbol), " in '", node->FullName(),
                               "' (must match [A-Za-z_][A-Za-z0-9_]*)"));
      }
      const std::string& text = symbol.get_ref<const std::string&>();
      if (std::find(node->symbols.begin(), node->symbols.end(), text) != node->symbols.end()) {
        return InvalidAt(
            path, absl::StrCat("duplicate enum symbol '", text, "' in '", node->FullName(), "'"));
      }
      node->symbols.push_back(text);
    }
    auto default_it = json.find("default");
    if (default_it != json.end()) {
      if (!default_it->is_string() ||
          std::find(node->symbols.begin(), node->symbols.end(),
                    default_it->get_ref<const std::string&>()) == node->symbols.end()) {
        return InvalidAt(path, absl::StrCat("the default ", Excerpt(*default_it), " of enum '",
                                            node->FullName(), "' is not one of its symbols"));
      }
      node->enum_default = default_it->get<std::string>();
    }
    FinishAttributes(json, node);
    return node;
  }

  absl::StatusOr<Node*> ParseFixed(const Json& json, const std::string& space,
                                   const std::string& path) {
    ASSIGN_OR_RETURN(Node * node, ParseNamed(Type::kFixed, json, space, path));
    auto size_it = json.find("size");
    if (size_it == json.end() || !size_it->is_number_integer() ||
        (size_it->is_number_unsigned() &&
         size_it->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) ||
        size_it->get<int64_t>() < 0 ||
        size_it->get<int64_t>() > std::numeric_limits<int32_t>::max()) {
      return InvalidAt(
          path, absl::StrCat("fixed '", node->FullName(), "' needs a \"size\", an integer >= 0"));
    }
    node->size = size_it->get<int64_t>();
    FinishAttributes(json, node);
    return node;
  }

  absl::StatusOr<Node*> ParseContainer(const Json& json, const std::string& space,
                                       const std::string& path, bool is_array) {
    const char* key = is_array ? "items" : "values";
    auto it = json.find(key);
    if (it == json.end()) {
      return InvalidAt(path, absl::StrCat(is_array ? "an array" : "a map", " needs \"", key, "\""));
    }
    ASSIGN_OR_RETURN(Node * element, ParseType(*it, space, absl::StrCat(path, "/", key)));
    Node* node = NewNode(is_array ? Type::kArray : Type::kMap);
    (is_array ? node->items : node->values) = element;
    FinishAttributes(json, node);
    return node;
  }

  absl::StatusOr<Node*> ParseUnion(const Json& json, const std::string& space,
                                   const std::string& path) {
    Node* node = NewNode(Type::kUnion);
    std::set<std::string> seen;
    for (size_t i = 0; i < json.size(); ++i) {
      const std::string branch_path = absl::StrCat(path, "/", i);
      ASSIGN_OR_RETURN(Node * branch, ParseType(json[i], space, branch_path));
      if (branch->type == Type::kUnion) {
        return InvalidAt(branch_path, "a union may not contain a union");
      }
      // Unnamed types may appear once each; named types once per name.
      std::string key =
          branch->IsNamed() ? branch->FullName() : std::string(TypeName(branch->type));
      if (!seen.insert(key).second) {
        return InvalidAt(branch_path, absl::StrCat("duplicate type '", key, "' in union"));
      }
      node->branches.push_back(branch);
    }
    return node;
  }

  absl::Status ValidateDefaults() const {
    for (const PendingDefault& pending : pending_defaults_) {
      const Field& field = pending.record->fields[pending.field];
      if (!IsValidDefault(*field.type, *field.default_value, 0)) {
        return InvalidAt(
            pending.path,
            absl::StrCat("invalid default value ", Excerpt(*field.default_value), " for field '",
                         field.name, "' of type ", TypeDescription(*field.type)));
      }
    }
    return absl::OkStatus();
  }

  static std::string TypeDescription(const Node& type) {
    if (type.IsNamed()) return absl::StrCat(Sv(TypeName(type.type)), " '", type.FullName(), "'");
    if (type.type == Type::kUnion && !type.branches.empty()) {
      return absl::StrCat("union (a default must match its first branch, ",
                          TypeDescription(*type.branches.front()), ")");
    }
    return std::string(TypeName(type.type));
  }

  std::vector<std::unique_ptr<Node>>* arena_;
  std::map<std::string, Node*> names_;  // full name -> named type
  std::vector<Node*> defined_;
  std::vector<PendingDefault> pending_defaults_;
  int nesting_ = 0;  // ParseType calls in progress
};

// Java's Double.toString: plain notation for 1e-3 <= |d| < 1e7, else "1.0E10"; always a
// fraction digit. Jackson prints parsed JSON floats this way.
std::string JavaDouble(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";
  char buffer[64];
  auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  std::string scientific(buffer, result.ptr);  // "-1.2345e+07"
  std::string sign;
  if (scientific[0] == '-') {
    sign = "-";
    scientific.erase(0, 1);
  }
  size_t e = scientific.find('e');
  int exponent = std::atoi(scientific.c_str() + e + 1);
  std::string digits = scientific.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    if (exponent < 0) return absl::StrCat(sign, "0.", std::string(-exponent - 1, '0'), digits);
    size_t integer_digits = static_cast<size_t>(exponent) + 1;
    if (digits.size() <= integer_digits) {
      digits.append(integer_digits - digits.size(), '0');
      return absl::StrCat(sign, digits, ".0");
    }
    return absl::StrCat(sign, digits.substr(0, integer_digits), ".", digits.substr(integer_digits));
  }
  std::string fraction = digits.size() > 1 ? digits.substr(1) : "0";
  return absl::StrCat(sign, digits.substr(0, 1), ".", fraction, "E", exponent);
}

// JSON string escaping as Jackson does it: short escapes where JSON has them, \u00XX (upper-case
// hex) for other control characters, everything else as is.
void AppendString(std::string_view text, std::string* out) {
  out->push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\f':
        *out += "\\f";
        break;
      case '\r':
        *out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04X", static_cast<unsigned>(c));
          *out += escaped;
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

// Writes a JSON value compactly; with `sort_keys` objects list their keys in order.
void AppendJson(const Json& value, bool sort_keys, std::string* out) {
  switch (value.type()) {
    case Json::value_t::null:
      *out += "null";
      return;
    case Json::value_t::boolean:
      *out += value.get<bool>() ? "true" : "false";
      return;
    case Json::value_t::number_integer:
      *out += std::to_string(value.get<int64_t>());
      return;
    case Json::value_t::number_unsigned:
      *out += std::to_string(value.get<uint64_t>());
      return;
    case Json::value_t::number_float:
      *out += JavaDouble(value.get<double>());
      return;
    case Json::value_t::string:
      AppendString(value.get_ref<const std::string&>(), out);
      return;
    case Json::value_t::array: {
      out->push_back('[');
      bool first = true;
      for (const Json& item : value) {
        if (!first) out->push_back(',');
        first = false;
        AppendJson(item, sort_keys, out);
      }
      out->push_back(']');
      return;
    }
    case Json::value_t::object: {
      std::vector<std::pair<std::string, const Json*>> members;
      for (const auto& [key, item] : value.items()) members.emplace_back(key, &item);
      if (sort_keys) std::sort(members.begin(), members.end());
      out->push_back('{');
      bool first = true;
      for (const auto& [key, item] : members) {
        if (!first) out->push_back(',');
        first = false;
        AppendString(key, out);
        out->push_back(':');
        AppendJson(*item, sort_keys, out);
      }
      out->push_back('}');
      return;
    }
    default:  // binary and discarded values never come out of the parser
      *out += "null";
  }
}

// Prints a schema as Java's Schema.toJson does (kCanonical), or in the normalized form: full
// names, no namespace attributes, sorted properties and aliases (kNormalized). A named type is
// written in full once, then by name.
class Printer {
 public:
  enum class Form { kCanonical, kNormalized };

  Printer(Form form, const std::vector<const Node*>& known) : form_(form) {
    for (const Node* node : known) printed_.insert(node->FullName());
  }

  std::string Print(const Node& root) {
    WriteType(root, "");
    return std::move(out_);
  }

 private:
  bool normalized() const { return form_ == Form::kNormalized; }

  void Key(std::string_view key) {
    out_.push_back(',');
    AppendString(key, &out_);
    out_.push_back(':');
  }

  // `space` is the namespace of the enclosing named type, against which names are relative.
  void WriteType(const Node& node, const std::string& space) {
    switch (node.type) {
      case Type::kRecord:
      case Type::kEnum:
      case Type::kFixed:
        WriteNamed(node, space);
        return;
      case Type::kArray:
      case Type::kMap:
        WriteContainer(node, space);
        return;
      case Type::kUnion:
        WriteUnion(node, space);
        return;
      default:
        WritePrimitive(node);
    }
  }

  void WritePrimitive(const Node& node) {
    if (node.props.empty()) {
      AppendString(TypeName(node.type), &out_);
      return;
    }
    out_ += "{\"type\":";
    AppendString(TypeName(node.type), &out_);
    WriteProps(node.props);
    out_.push_back('}');
  }

  void WriteContainer(const Node& node, const std::string& space) {
    const bool is_array = node.type == Type::kArray;
    out_ += is_array ? "{\"type\":\"array\"" : "{\"type\":\"map\"";
    Key(is_array ? "items" : "values");
    WriteType(is_array ? *node.items : *node.values, space);
    WriteProps(node.props);
    out_.push_back('}');
  }

  void WriteUnion(const Node& node, const std::string& space) {
    out_.push_back('[');
    for (size_t i = 0; i < node.branches.size(); ++i) {
      if (i > 0) out_.push_back(',');
      WriteType(*node.branches[i], space);
    }
    out_.push_back(']');
  }

  void WriteNamed(const Node& node, const std::string& space) {
    if (!printed_.insert(node.FullName()).second) {
      AppendString(Qualified(node.FullName(), space), &out_);
      return;
    }
    out_ += "{\"type\":";
    AppendString(
        node.type == Type::kRecord ? (node.is_error ? "error" : "record") : TypeName(node.type),
        &out_);
    WriteName(node, space);
    if (node.doc) {
      Key("doc");
      AppendString(*node.doc, &out_);
    }
    if (node.type == Type::kRecord) {
      Key("fields");
      WriteFields(node);
    } else if (node.type == Type::kEnum) {
      Key("symbols");
      AppendJson(Json(node.symbols), false, &out_);
      if (node.enum_default) {
        Key("default");
        AppendString(*node.enum_default, &out_);
      }
    } else {
      Key("size");
      out_ += std::to_string(node.size);
    }
    WriteProps(node.props);
    WriteAliases(node);
    out_.push_back('}');
  }

  // Java writes "namespace" only where it differs from the enclosing one ("" to leave a
  // namespace); the normalized form writes full names and needs "" only for that last case.
  void WriteName(const Node& node, const std::string& space) {
    Key("name");
    AppendString(normalized() ? node.FullName() : node.name, &out_);
    if (!node.space.empty() && node.space != space && !normalized()) {
      Key("namespace");
      AppendString(node.space, &out_);
    } else if (node.space.empty() && !space.empty()) {
      Key("namespace");
      AppendString("", &out_);
    }
  }

  void WriteFields(const Node& record) {
    out_.push_back('[');
    for (size_t i = 0; i < record.fields.size(); ++i) {
      const Field& field = record.fields[i];
      if (i > 0) out_.push_back(',');
      out_ += "{\"name\":";
      AppendString(field.name, &out_);
      Key("type");
      WriteType(*field.type, record.space);
      if (field.doc) {
        Key("doc");
        AppendString(*field.doc, &out_);
      }
      if (field.default_value) {
        Key("default");
        AppendJson(*field.default_value, normalized(), &out_);
      }
      if (field.order != FieldOrder::kAscending) {
        Key("order");
        AppendString(field.order == FieldOrder::kDescending ? "descending" : "ignore", &out_);
      }
      if (!field.aliases.empty()) {
        Key("aliases");
        AppendJson(Json(Sorted(field.aliases)), false, &out_);
      }
      WriteProps(field.props);
      out_.push_back('}');
    }
    out_.push_back(']');
  }

  void WriteAliases(const Node& node) {
    if (node.aliases.empty()) return;
    std::vector<std::string> aliases;
    for (const std::string& alias : node.aliases) aliases.push_back(Qualified(alias, node.space));
    Key("aliases");
    AppendJson(Json(Sorted(std::move(aliases))), false, &out_);
  }

  void WriteProps(const Json& props) {
    std::vector<std::pair<std::string, const Json*>> members;
    for (const auto& [key, value] : props.items()) members.emplace_back(key, &value);
    if (normalized()) std::sort(members.begin(), members.end());
    for (const auto& [key, value] : members) {
      Key(key);
      AppendJson(*value, normalized(), &out_);
    }
  }

  // Alias sets have no order that matters; the normalized form sorts them.
  std::vector<std::string> Sorted(std::vector<std::string> values) const {
    if (normalized()) std::sort(values.begin(), values.end());
    return values;
  }

  // Java's Name.getQualified: the short name within its own namespace, unless the short name
  // is a type name ("record", "int", ...) that would read as that type.
  std::string Qualified(const std::string& full_name, const std::string& space) const {
    if (normalized()) return full_name;
    auto [name_space, name] = SplitName(full_name, "");
    const bool is_type_name = PrimitiveType(name) || name == "record" || name == "error" ||
                              name == "enum" || name == "fixed" || name == "array" ||
                              name == "map" || name == "union";
    if (!name_space.empty() && name_space == space && !is_type_name) return name;
    return full_name;
  }

  Form form_;
  std::set<std::string> printed_;  // full names of the named types already written
  std::string out_;
};

}  // namespace

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kNull:
      return "null";
    case Type::kBoolean:
      return "boolean";
    case Type::kInt:
      return "int";
    case Type::kLong:
      return "long";
    case Type::kFloat:
      return "float";
    case Type::kDouble:
      return "double";
    case Type::kBytes:
      return "bytes";
    case Type::kString:
      return "string";
    case Type::kRecord:
      return "record";
    case Type::kEnum:
      return "enum";
    case Type::kArray:
      return "array";
    case Type::kMap:
      return "map";
    case Type::kUnion:
      return "union";
    case Type::kFixed:
      return "fixed";
  }
  return "null";
}

std::string Node::FullName() const { return JoinName(space, name); }

AvroSchema::AvroSchema(std::vector<std::unique_ptr<Node>> nodes, const Node* root,
                       std::vector<const Node*> referenced)
    : nodes_(std::move(nodes)), root_(root), referenced_(std::move(referenced)) {
  canonical_ = Printer(Printer::Form::kCanonical, referenced_).Print(*root_);
  normalized_ = Printer(Printer::Form::kNormalized, referenced_).Print(*root_);
}

absl::StatusOr<std::shared_ptr<const ParsedSchema>> Parse(
    std::string_view text, const std::vector<ResolvedReference>& references) {
  std::vector<std::unique_ptr<Node>> nodes;
  SchemaParser parser(&nodes);
  for (const ResolvedReference& reference : references) {
    if (reference.type != SchemaType::kAvro) {
      return absl::InvalidArgumentError(
          absl::StrCat("Reference '", reference.name, "' is a ", Sv(SchemaTypeName(reference.type)),
                       " schema; an Avro schema can only reference Avro schemas"));
    }
    absl::StatusOr<const Node*> parsed = parser.ParseDocument(reference.text);
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("Invalid reference '", reference.name, "': ", parsed.status().message()));
    }
  }
  std::vector<const Node*> referenced = parser.DefinedTypes();
  ASSIGN_OR_RETURN(const Node* root, parser.ParseDocument(text));
  return std::make_shared<const AvroSchema>(std::move(nodes), root, std::move(referenced));
}

}  // namespace cdcflow::schema_registry::avro
