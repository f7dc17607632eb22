#include "services/schema-registry/schema/json_schema_compatibility.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/schema-registry/schema/json_schema.h"

namespace cdcflow::schema_registry::json_schema {
namespace {

using Json = JsonSchema::Json;

// Confluent's Difference.Type names of the incompatible changes this checker detects; the
// compatible ones (relaxed limits, removed keywords, widened types...) are never reported.
namespace diff {
constexpr char kSchemaAdded[] = "SCHEMA_ADDED";
constexpr char kTypeChanged[] = "TYPE_CHANGED";
constexpr char kTypeNarrowed[] = "TYPE_NARROWED";
constexpr char kMaxLengthAdded[] = "MAX_LENGTH_ADDED";
constexpr char kMaxLengthDecreased[] = "MAX_LENGTH_DECREASED";
constexpr char kMinLengthAdded[] = "MIN_LENGTH_ADDED";
constexpr char kMinLengthIncreased[] = "MIN_LENGTH_INCREASED";
constexpr char kPatternAdded[] = "PATTERN_ADDED";
constexpr char kPatternChanged[] = "PATTERN_CHANGED";
constexpr char kMaximumAdded[] = "MAXIMUM_ADDED";
constexpr char kMaximumDecreased[] = "MAXIMUM_DECREASED";
constexpr char kMinimumAdded[] = "MINIMUM_ADDED";
constexpr char kMinimumIncreased[] = "MINIMUM_INCREASED";
constexpr char kExclusiveMaximumAdded[] = "EXCLUSIVE_MAXIMUM_ADDED";
constexpr char kExclusiveMaximumDecreased[] = "EXCLUSIVE_MAXIMUM_DECREASED";
constexpr char kExclusiveMinimumAdded[] = "EXCLUSIVE_MINIMUM_ADDED";
constexpr char kExclusiveMinimumIncreased[] = "EXCLUSIVE_MINIMUM_INCREASED";
constexpr char kMultipleOfAdded[] = "MULTIPLE_OF_ADDED";
constexpr char kMultipleOfExpanded[] = "MULTIPLE_OF_EXPANDED";
constexpr char kMultipleOfChanged[] = "MULTIPLE_OF_CHANGED";
constexpr char kRequiredAttributeAdded[] = "REQUIRED_ATTRIBUTE_ADDED";
constexpr char kMaxPropertiesAdded[] = "MAX_PROPERTIES_ADDED";
constexpr char kMaxPropertiesDecreased[] = "MAX_PROPERTIES_DECREASED";
constexpr char kMinPropertiesAdded[] = "MIN_PROPERTIES_ADDED";
constexpr char kMinPropertiesIncreased[] = "MIN_PROPERTIES_INCREASED";
constexpr char kAdditionalPropertiesRemoved[] = "ADDITIONAL_PROPERTIES_REMOVED";
constexpr char kAdditionalPropertiesNarrowed[] = "ADDITIONAL_PROPERTIES_NARROWED";
constexpr char kDependencyArrayAdded[] = "DEPENDENCY_ARRAY_ADDED";
constexpr char kDependencyArrayExtended[] = "DEPENDENCY_ARRAY_EXTENDED";
constexpr char kDependencyArrayChanged[] = "DEPENDENCY_ARRAY_CHANGED";
constexpr char kDependencySchemaAdded[] = "DEPENDENCY_SCHEMA_ADDED";
constexpr char kPropertyAddedToOpen[] = "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL";
constexpr char kRequiredPropertyAddedToUnopen[] = "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL";
constexpr char kPropertyRemovedFromClosed[] = "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL";
constexpr char kPropertyRemovedNotCovered[] =
    "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL";
constexpr char kPropertyAddedNotCovered[] =
    "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL";
constexpr char kMaxItemsAdded[] = "MAX_ITEMS_ADDED";
constexpr char kMaxItemsDecreased[] = "MAX_ITEMS_DECREASED";
constexpr char kMinItemsAdded[] = "MIN_ITEMS_ADDED";
constexpr char kMinItemsIncreased[] = "MIN_ITEMS_INCREASED";
constexpr char kUniqueItemsAdded[] = "UNIQUE_ITEMS_ADDED";
constexpr char kAdditionalItemsRemoved[] = "ADDITIONAL_ITEMS_REMOVED";
constexpr char kAdditionalItemsNarrowed[] = "ADDITIONAL_ITEMS_NARROWED";
constexpr char kItemAddedToOpen[] = "ITEM_ADDED_TO_OPEN_CONTENT_MODEL";
constexpr char kItemRemovedFromClosed[] = "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL";
constexpr char kItemRemovedNotCovered[] =
    "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL";
constexpr char kItemAddedNotCovered[] = "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL";
constexpr char kEnumArrayNarrowed[] = "ENUM_ARRAY_NARROWED";
constexpr char kEnumArrayChanged[] = "ENUM_ARRAY_CHANGED";
constexpr char kCombinedTypeChanged[] = "COMBINED_TYPE_CHANGED";
constexpr char kProductTypeExtended[] = "PRODUCT_TYPE_EXTENDED";
constexpr char kSumTypeNarrowed[] = "SUM_TYPE_NARROWED";
constexpr char kCombinedTypeSubschemasChanged[] = "COMBINED_TYPE_SUBSCHEMAS_CHANGED";
constexpr char kNotTypeExtended[] = "NOT_TYPE_EXTENDED";
}  // namespace diff

// A sentence per difference, grouped as Confluent groups them.
std::string Describe(std::string_view type, const std::string& path) {
  static const std::set<std::string_view> kKeywordAdded = {
      diff::kMaximumAdded,           diff::kMinimumAdded,
      diff::kExclusiveMaximumAdded,  diff::kExclusiveMinimumAdded,
      diff::kMultipleOfAdded,        diff::kMaxLengthAdded,
      diff::kMinLengthAdded,         diff::kPatternAdded,
      diff::kRequiredAttributeAdded, diff::kMaxPropertiesAdded,
      diff::kMinPropertiesAdded,     diff::kDependencyArrayAdded,
      diff::kDependencySchemaAdded,  diff::kMaxItemsAdded,
      diff::kMinItemsAdded,          diff::kUniqueItemsAdded,
      diff::kAdditionalItemsRemoved, diff::kAdditionalPropertiesRemoved};
  static const std::set<std::string_view> kIncreased = {
      diff::kMinLengthIncreased,     diff::kMinimumIncreased,   diff::kExclusiveMinimumIncreased,
      diff::kMinPropertiesIncreased, diff::kMultipleOfExpanded, diff::kMinItemsIncreased};
  static const std::set<std::string_view> kDecreased = {
      diff::kMaxLengthDecreased, diff::kMaximumDecreased, diff::kMaxItemsDecreased,
      diff::kExclusiveMaximumDecreased, diff::kMaxPropertiesDecreased};
  static const std::set<std::string_view> kValueChanged = {
      diff::kPatternChanged, diff::kMultipleOfChanged, diff::kDependencyArrayChanged};
  static const std::set<std::string_view> kNarrowed = {
      diff::kAdditionalItemsNarrowed, diff::kEnumArrayNarrowed, diff::kSumTypeNarrowed,
      diff::kAdditionalPropertiesNarrowed};
  static const std::set<std::string_view> kExtended = {
      diff::kDependencyArrayExtended, diff::kProductTypeExtended, diff::kNotTypeExtended};
  const std::string at = absl::StrCat("path '", path, "'");
  if (kKeywordAdded.count(type) > 0) {
    return absl::StrCat("The keyword at ", at,
                        " in the reader schema is not present in the writer schema");
  }
  if (kIncreased.count(type) > 0) {
    return absl::StrCat("The value at ", at,
                        " in the reader schema is more than its value in the writer schema");
  }
  if (kDecreased.count(type) > 0) {
    return absl::StrCat("The value at ", at,
                        " in the reader schema is less than its value in the writer schema");
  }
  if (kValueChanged.count(type) > 0) {
    return absl::StrCat("The value at ", at, " is different between the reader and writer schema");
  }
  if (kNarrowed.count(type) > 0) {
    return absl::StrCat("An array or combined type at ", at,
                        " has fewer elements in the reader schema than the writer schema");
  }
  if (kExtended.count(type) > 0) {
    return absl::StrCat("An array or combined type at ", at,
                        " has more elements in the reader schema than the writer schema");
  }
  if (type == diff::kPropertyAddedToOpen || type == diff::kItemAddedToOpen) {
    return absl::StrCat(
        "The writer schema has an open content model and the reader schema has a "
        "property or item at ",
        at, " which is missing in the writer schema");
  }
  if (type == diff::kRequiredPropertyAddedToUnopen) {
    return absl::StrCat("The reader schema has a required property at ", at,
                        " which is missing in the writer schema, whose content model is not open");
  }
  if (type == diff::kPropertyRemovedFromClosed || type == diff::kItemRemovedFromClosed) {
    return absl::StrCat(
        "The reader schema has a closed content model and is missing a property "
        "or item present at ",
        at, " in the writer schema");
  }
  if (type == diff::kPropertyRemovedNotCovered || type == diff::kItemRemovedNotCovered) {
    return absl::StrCat("A property or item is missing in the reader schema but present at ", at,
                        " in the writer schema and is not covered by its partially open content "
                        "model");
  }
  if (type == diff::kPropertyAddedNotCovered || type == diff::kItemAddedNotCovered) {
    return absl::StrCat("The reader schema has a property or item at ", at,
                        " which is missing in the writer schema and is not covered by its "
                        "partially open content model");
  }
  if (type == diff::kSchemaAdded) {
    return absl::StrCat("The reader schema has a schema at ", at,
                        " which is missing in the writer schema");
  }
  return absl::StrCat("A type at ", at,
                      " is different between the reader schema and the writer schema");
}

// A schema inside one of the documents (the schema itself or a reference's), or absent.
struct Node {
  const Json* schema = nullptr;
  const Json* root = nullptr;
};

// What a schema is, as Confluent's JSON Schema library (everit) models it: one keyword group
// per schema, several groups together forming a synthetic allOf.
enum class Kind {
  kEmpty,
  kFalse,
  kObject,
  kArray,
  kString,
  kNumber,
  kBoolean,
  kNull,
  kEnum,
  kCombined,
  kNot
};

struct Shape {
  Kind kind = Kind::kEmpty;
  std::string criterion;  // allOf, anyOf or oneOf, for kCombined
  std::vector<Node> subschemas;
};

const Json* Find(const Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::optional<double> Number(const Json& object, const char* key) {
  const Json* value = Find(object, key);
  if (value == nullptr || !value->is_number()) return std::nullopt;
  return value->get<double>();
}

bool Has(const Json& object, const char* key) { return Find(object, key) != nullptr; }

bool HasAny(const Json& object, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    if (Has(object, key)) return true;
  }
  return false;
}

// The kind of a schema with a single type (or none, inferred from its keywords).
Kind TypeKind(const Json& object) {
  const Json* type = Find(object, "type");
  if (type != nullptr && type->is_array() && type->size() == 1) type = &(*type)[0];
  if (type != nullptr && type->is_string()) {
    const std::string& name = type->get_ref<const std::string&>();
    if (name == "object") return Kind::kObject;
    if (name == "array") return Kind::kArray;
    if (name == "string") return Kind::kString;
    if (name == "number" || name == "integer") return Kind::kNumber;
    if (name == "boolean") return Kind::kBoolean;
    if (name == "null") return Kind::kNull;
  }
  if (HasAny(object, {"properties", "required", "additionalProperties", "patternProperties",
                      "minProperties", "maxProperties", "dependencies", "propertyNames"})) {
    return Kind::kObject;
  }
  if (HasAny(object, {"items", "additionalItems", "minItems", "maxItems", "uniqueItems", "contains",
                      "prefixItems"})) {
    return Kind::kArray;
  }
  if (HasAny(object, {"minLength", "maxLength", "pattern", "format"})) return Kind::kString;
  if (HasAny(object,
             {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"})) {
    return Kind::kNumber;
  }
  return Kind::kEmpty;
}

bool RequiresInteger(const Json& object) {
  const Json* type = Find(object, "type");
  if (type != nullptr && type->is_array() && type->size() == 1) type = &(*type)[0];
  return type != nullptr && type->is_string() && type->get_ref<const std::string&>() == "integer";
}

std::vector<std::string> Strings(const Json* array) {
  std::vector<std::string> out;
  if (array == nullptr || !array->is_array()) return out;
  for (const Json& item : *array) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

bool Contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// Compares the writer's schema ("original", as Confluent calls the old one) with the reader's
// ("update"), recording incompatible differences.
class Differ {
 public:
  Differ(const JsonSchema& reader, const JsonSchema& writer) : reader_(reader), writer_(writer) {}

  void Compare(Node original, Node update) {
    if (original.schema == nullptr && update.schema == nullptr) return;
    if (original.schema == nullptr) {
      Add(diff::kSchemaAdded);
      return;
    }
    if (update.schema == nullptr) return;  // SCHEMA_REMOVED: anything is readable
    original = Deref(writer_, original);
    update = Deref(reader_, update);
    if (original.schema == nullptr || update.schema == nullptr) return;

    Shape original_shape = ShapeOf(original);
    Shape update_shape = ShapeOf(update);
    if (original_shape.kind != Kind::kCombined && update_shape.kind == Kind::kCombined) {
      // The reader accepts a union: fine when one of its branches reads the writer's type.
      if (update_shape.subschemas.size() == 1) {
        if (Compatible(original, update_shape.subschemas[0])) return;
      } else if (update_shape.criterion != "allOf") {
        for (const Node& branch : update_shape.subschemas) {
          if (Compatible(original, branch)) return;  // SUM_TYPE_EXTENDED
        }
      }
    } else if (original_shape.kind == Kind::kCombined && update_shape.kind != Kind::kCombined &&
               original_shape.subschemas.size() == 1) {
      if (Compatible(original_shape.subschemas[0], update)) return;
    }
    if (original_shape.kind != update_shape.kind) {
      // Nothing was valid for the writer, or everything is for the reader.
      if (original_shape.kind == Kind::kFalse || update_shape.kind == Kind::kEmpty) return;
      Add(diff::kTypeChanged);
      return;
    }

    // Recursive schemas are compared once per chain.
    std::pair<const Json*, const Json*> key(original.schema, update.schema);
    if (!active_.insert(key).second) return;
    switch (original_shape.kind) {
      case Kind::kString:
        CompareString(*original.schema, *update.schema);
        break;
      case Kind::kNumber:
        CompareNumber(*original.schema, *update.schema);
        break;
      case Kind::kEnum:
        CompareEnum(*original.schema, *update.schema);
        break;
      case Kind::kCombined:
        CompareCombined(original_shape, update_shape);
        break;
      case Kind::kNot:
        // The reader rejects what its `not` matches, which must be nothing the writer allowed:
        // the writer's `not` has to accept everything the reader's does.
        if (!Compatible(Node{Find(*update.schema, "not"), update.root},
                        Node{Find(*original.schema, "not"), original.root}, /*swapped=*/true)) {
          Add(diff::kNotTypeExtended);
        }
        break;
      case Kind::kObject:
        CompareObject(original, update);
        break;
      case Kind::kArray:
        CompareArray(original, update);
        break;
      default:
        break;
    }
    active_.erase(key);
  }

  std::vector<Incompatibility> TakeResult() { return std::move(result_); }

 private:
  class PathScope {
   public:
    PathScope(Differ& differ, std::string element) : differ_(differ) {
      differ_.path_.push_back(std::move(element));
    }
    ~PathScope() { differ_.path_.pop_back(); }

   private:
    Differ& differ_;
  };

  void Add(std::string_view type) {
    std::string path = absl::StrCat("#/", absl::StrJoin(path_, "/"));
    Incompatibility incompatibility;
    incompatibility.error_type = std::string(type);
    incompatibility.description = Describe(type, path);
    incompatibility.path = std::move(path);
    result_.push_back(std::move(incompatibility));
  }
  void Add(std::string element, std::string_view type) {
    PathScope scope(*this, std::move(element));
    Add(type);
  }

  // Whether `update` reads `original`, recording nothing. `swapped` compares a reader-side
  // schema as the original (for `not`), resolving each side's $refs in its own document.
  bool Compatible(Node original, Node update, bool swapped = false) {
    size_t before = result_.size();
    if (swapped) swapped_ = !swapped_;
    Compare(original, update);
    if (swapped) swapped_ = !swapped_;
    bool compatible = result_.size() == before;
    result_.resize(before);
    return compatible;
  }

  // Compares and keeps what was found; true when nothing was.
  bool CompareKeeping(Node original, Node update) {
    size_t before = result_.size();
    Compare(original, update);
    return result_.size() == before;
  }

  Node Deref(const JsonSchema& side, Node node) {
    const JsonSchema& owner = swapped_ ? (&side == &reader_ ? writer_ : reader_) : side;
    for (int depth = 0; depth < 32; ++depth) {
      const Json* ref = Find(*node.schema, "$ref");
      if (ref == nullptr || !ref->is_string()) return node;
      JsonSchema::Target target = owner.Resolve(ref->get<std::string>(), *node.root);
      if (target.schema == nullptr) return Node{};
      node = Node{target.schema, target.root};
    }
    return Node{};
  }

  // Copies of parts of a schema live here, once per source, so pointers stay stable and the
  // recursion guard sees the same pointers again.
  const Json* Stored(const Json* source, const std::string& facet, Json value) {
    auto [it, inserted] = derived_.try_emplace({source, facet}, nullptr);
    if (inserted) {
      arena_.push_back(std::move(value));
      it->second = &arena_.back();
    }
    return it->second;
  }

  Shape ShapeOf(Node node) {
    const Json& schema = *node.schema;
    Shape shape;
    if (schema.is_boolean()) {
      shape.kind = schema.get<bool>() ? Kind::kEmpty : Kind::kFalse;
      return shape;
    }
    if (!schema.is_object()) return shape;
    static constexpr const char* kOwnGroups[] = {"enum", "const", "allOf", "anyOf", "oneOf", "not"};
    std::vector<std::string> groups;
    for (const char* key : kOwnGroups) {
      if (Has(schema, key)) groups.push_back(key);
    }
    if (groups.empty()) return TypedShape(node);
    // What remains once those groups are taken out is the type-based part.
    Json typed = schema;
    for (const char* key : kOwnGroups) typed.erase(key);
    if (TypeKind(typed) != Kind::kEmpty || Has(typed, "type")) groups.push_back("type");

    if (groups.size() > 1) {
      shape.kind = Kind::kCombined;
      shape.criterion = "allOf";
      for (const std::string& group : groups) {
        Json part = group == "type" ? typed : Json::object({{group, schema.at(group)}});
        shape.subschemas.push_back(Node{Stored(node.schema, group, std::move(part)), node.root});
      }
      return shape;
    }
    const std::string& group = groups.front();
    if (group == "enum" || group == "const") {
      shape.kind = Kind::kEnum;
    } else if (group == "not") {
      shape.kind = Kind::kNot;
    } else {
      shape.kind = Kind::kCombined;
      shape.criterion = group;
      std::set<std::string> seen;  // duplicates collapse, as in a set
      for (const Json& branch : schema.at(group)) {
        if (seen.insert(branch.dump()).second) shape.subschemas.push_back(Node{&branch, node.root});
      }
    }
    return shape;
  }

  // A schema without enum/const/combinators/not: one type, or "type": [a, b] as anyOf one
  // schema per type.
  Shape TypedShape(Node node) {
    const Json& schema = *node.schema;
    Shape shape;
    const Json* type = Find(schema, "type");
    if (type == nullptr || !type->is_array() || type->size() <= 1) {
      shape.kind = TypeKind(schema);
      return shape;
    }
    shape.kind = Kind::kCombined;
    shape.criterion = "anyOf";
    for (const Json& name : *type) {
      Json branch = schema;
      branch["type"] = name;
      shape.subschemas.push_back(
          Node{Stored(node.schema, name.get<std::string>(), std::move(branch)), node.root});
    }
    return shape;
  }

  // A keyword that bounds values: adding it, or moving it the tightening way, is incompatible.
  void CompareLimit(const Json& original, const Json& update, const char* key, const char* added,
                    const char* tightened, bool is_upper) {
    std::optional<double> o = Number(original, key);
    std::optional<double> u = Number(update, key);
    if (!u) return;
    if (!o) {
      Add(key, added);
    } else if (is_upper ? *u < *o : *u > *o) {
      Add(key, tightened);
    }
  }

  void CompareString(const Json& original, const Json& update) {
    CompareLimit(original, update, "maxLength", diff::kMaxLengthAdded, diff::kMaxLengthDecreased,
                 true);
    CompareLimit(original, update, "minLength", diff::kMinLengthAdded, diff::kMinLengthIncreased,
                 false);
    const Json* o = Find(original, "pattern");
    const Json* u = Find(update, "pattern");
    if (o == nullptr && u != nullptr) {
      Add("pattern", diff::kPatternAdded);
    } else if (o != nullptr && u != nullptr && *o != *u) {
      Add("pattern", diff::kPatternChanged);
    }
  }

  void CompareNumber(const Json& original, const Json& update) {
    CompareLimit(original, update, "maximum", diff::kMaximumAdded, diff::kMaximumDecreased, true);
    CompareLimit(original, update, "minimum", diff::kMinimumAdded, diff::kMinimumIncreased, false);
    CompareLimit(original, update, "exclusiveMaximum", diff::kExclusiveMaximumAdded,
                 diff::kExclusiveMaximumDecreased, true);
    CompareLimit(original, update, "exclusiveMinimum", diff::kExclusiveMinimumAdded,
                 diff::kExclusiveMinimumIncreased, false);
    std::optional<double> o = Number(original, "multipleOf");
    std::optional<double> u = Number(update, "multipleOf");
    if (u && !o) {
      Add("multipleOf", diff::kMultipleOfAdded);
    } else if (u && o && *u != *o) {
      auto divides = [](double divisor, double value) {
        double quotient = value / divisor;
        return std::fabs(quotient - std::round(quotient)) < 1e-9;
      };
      if (divides(*o, *u)) {
        Add("multipleOf", diff::kMultipleOfExpanded);  // fewer values are multiples
      } else if (!divides(*u, *o)) {
        Add("multipleOf", diff::kMultipleOfChanged);
      }
    }
    if (!RequiresInteger(original) && RequiresInteger(update)) Add(diff::kTypeNarrowed);
  }

  static std::vector<Json> EnumValues(const Json& schema) {
    if (const Json* values = Find(schema, "enum")) return {values->begin(), values->end()};
    if (const Json* value = Find(schema, "const")) return {*value};
    return {};
  }

  void CompareEnum(const Json& original, const Json& update) {
    std::vector<Json> o = EnumValues(original);
    std::vector<Json> u = EnumValues(update);
    auto includes = [](const std::vector<Json>& all, const std::vector<Json>& some) {
      for (const Json& value : some) {
        if (std::find(all.begin(), all.end(), value) == all.end()) return false;
      }
      return true;
    };
    if (includes(u, o)) return;  // the same or extended
    Add("enum", includes(o, u) ? diff::kEnumArrayNarrowed : diff::kEnumArrayChanged);
  }

  void CompareCombined(const Shape& original, const Shape& update) {
    if (original.criterion != update.criterion) {
      // allOf/oneOf -> anyOf widens; so does a singleton becoming oneOf or a singleton allOf.
      bool widened = update.criterion == "anyOf" ||
                     (update.criterion == "oneOf" && original.subschemas.size() == 1) ||
                     (update.criterion == "allOf" && original.subschemas.size() == 1 &&
                      update.subschemas.size() == 1);
      if (!widened) {
        Add(diff::kCombinedTypeChanged);
        return;
      }
    }
    size_t original_size = original.subschemas.size();
    size_t update_size = update.subschemas.size();
    if (original_size < update_size && update.criterion == "allOf") {
      Add(diff::kProductTypeExtended);
    } else if (original_size > update_size && update.criterion != "allOf") {
      Add(diff::kSumTypeNarrowed);
    }
    // Each branch of the smaller side must pair with a distinct compatible branch of the other:
    // a maximum bipartite matching (Kuhn's augmenting paths; unions are small).
    std::vector<std::vector<bool>> compatible(original_size, std::vector<bool>(update_size));
    for (size_t i = 0; i < original_size; ++i) {
      PathScope scope(*this, absl::StrCat(original.criterion, "/", i));
      for (size_t j = 0; j < update_size; ++j) {
        compatible[i][j] = Compatible(original.subschemas[i], update.subschemas[j]);
      }
    }
    std::vector<int> matched_to(update_size, -1);
    std::function<bool(size_t, std::vector<bool>&)> augment = [&](size_t i,
                                                                  std::vector<bool>& seen) {
      for (size_t j = 0; j < update_size; ++j) {
        if (!compatible[i][j] || seen[j]) continue;
        seen[j] = true;
        if (matched_to[j] < 0 || augment(static_cast<size_t>(matched_to[j]), seen)) {
          matched_to[j] = static_cast<int>(i);
          return true;
        }
      }
      return false;
    };
    size_t matching = 0;
    for (size_t i = 0; i < original_size; ++i) {
      std::vector<bool> seen(update_size, false);
      if (augment(i, seen)) ++matching;
    }
    if (matching < std::min(original_size, update_size)) {
      Add(diff::kCombinedTypeSubschemasChanged);
    }
  }

  // Object content models: open (any extra property of any type), closed
  // (additionalProperties: false) or partially open (a schema for extra or pattern properties).
  static bool PermitsAdditional(const Json& schema) {
    const Json* additional = Find(schema, "additionalProperties");
    return additional == nullptr || !additional->is_boolean() || additional->get<bool>();
  }
  static const Json* AdditionalSchema(const Json& schema) {
    const Json* additional = Find(schema, "additionalProperties");
    return additional != nullptr && additional->is_object() ? additional : nullptr;
  }
  static bool IsOpen(const Json& schema) {
    const Json* patterns = Find(schema, "patternProperties");
    return (patterns == nullptr || patterns->empty()) && AdditionalSchema(schema) == nullptr &&
           PermitsAdditional(schema);
  }
  static const Json* PartialSchema(const Json& schema, const std::string& property) {
    if (const Json* patterns = Find(schema, "patternProperties");
        patterns && patterns->is_object()) {
      for (const auto& [pattern, subschema] : patterns->items()) {
        try {
          if (std::regex_search(property, std::regex(pattern, std::regex::ECMAScript))) {
            return &subschema;
          }
        } catch (const std::regex_error&) {
          // A pattern std::regex cannot compile matches nothing here.
        }
      }
    }
    return AdditionalSchema(schema);
  }

  // True for a schema that accepts anything and is not a $ref (everit's EmptySchema).
  bool IsEmptySchema(const Json& schema) {
    if (Has(schema, "$ref")) return false;
    return ShapeOf(Node{&schema, nullptr}).kind == Kind::kEmpty;
  }

  void CompareObject(Node original_node, Node update_node) {
    const Json& original = *original_node.schema;
    const Json& update = *update_node.schema;
    const Json empty = Json::object();
    const Json* original_properties = Find(original, "properties");
    const Json* update_properties = Find(update, "properties");
    if (original_properties == nullptr || !original_properties->is_object()) {
      original_properties = &empty;
    }
    if (update_properties == nullptr || !update_properties->is_object()) {
      update_properties = &empty;
    }
    std::vector<std::string> original_required = Strings(Find(original, "required"));
    std::vector<std::string> update_required = Strings(Find(update, "required"));

    {
      PathScope scope(*this, "required");
      for (const auto& [name, property] : original_properties->items()) {
        auto it = update_properties->find(name);
        if (it == update_properties->end()) continue;
        if (!Contains(original_required, name) && Contains(update_required, name) &&
            !Has(*it, "default")) {
          Add(name, diff::kRequiredAttributeAdded);
        }
      }
    }

    {
      PathScope scope(*this, "properties");
      for (const auto& [name, property] : original_properties->items()) {
        PathScope property_scope(*this, name);
        auto it = update_properties->find(name);
        if (it != update_properties->end()) {
          Compare(Node{&property, original_node.root}, Node{&*it, update_node.root});
          continue;
        }
        // Removed: the reader must still accept the writer's values for it.
        if (IsOpen(update)) continue;
        if (const Json* partial = PartialSchema(update, name)) {
          if (!CompareKeeping(Node{&property, original_node.root},
                              Node{partial, update_node.root})) {
            Add(diff::kPropertyRemovedNotCovered);
          }
        } else if (!(property.is_boolean() && !property.get<bool>())) {
          Add(diff::kPropertyRemovedFromClosed);
        }
      }
      for (const auto& [name, property] : update_properties->items()) {
        if (original_properties->contains(name)) continue;
        PathScope property_scope(*this, name);
        // Added: an open writer may have sent anything under that name.
        if (IsOpen(original)) {
          if (!IsEmptySchema(property)) Add(diff::kPropertyAddedToOpen);
          continue;
        }
        if (const Json* partial = PartialSchema(original, name)) {
          if (!CompareKeeping(Node{partial, original_node.root},
                              Node{&property, update_node.root})) {
            Add(diff::kPropertyAddedNotCovered);
          }
        }
        if (Contains(update_required, name) && !Has(property, "default")) {
          Add(diff::kRequiredPropertyAddedToUnopen);
        }
      }
    }

    CompareDependencies(original_node, update_node);

    {
      PathScope scope(*this, "additionalProperties");
      const Json* original_schema = AdditionalSchema(original);
      const Json* update_schema = AdditionalSchema(update);
      if (PermitsAdditional(original) != PermitsAdditional(update)) {
        if (!PermitsAdditional(update)) Add(diff::kAdditionalPropertiesRemoved);
      } else if (original_schema == nullptr && update_schema != nullptr) {
        Add(diff::kAdditionalPropertiesNarrowed);
      } else if (original_schema != nullptr && update_schema != nullptr) {
        Compare(Node{original_schema, original_node.root}, Node{update_schema, update_node.root});
      }
    }

    CompareLimit(original, update, "maxProperties", diff::kMaxPropertiesAdded,
                 diff::kMaxPropertiesDecreased, true);
    CompareLimit(original, update, "minProperties", diff::kMinPropertiesAdded,
                 diff::kMinPropertiesIncreased, false);
  }

  void CompareDependencies(Node original_node, Node update_node) {
    const Json* original = Find(*original_node.schema, "dependencies");
    const Json* update = Find(*update_node.schema, "dependencies");
    if (update == nullptr || !update->is_object()) return;  // removing dependencies relaxes
    PathScope scope(*this, "dependencies");
    for (const auto& [name, dependency] : update->items()) {
      const Json* before = original != nullptr ? Find(*original, name.c_str()) : nullptr;
      PathScope name_scope(*this, name);
      if (dependency.is_array()) {
        if (before == nullptr || !before->is_array()) {
          Add(diff::kDependencyArrayAdded);
          continue;
        }
        std::vector<std::string> o = Strings(before);
        std::vector<std::string> u = Strings(&dependency);
        bool update_has_all = true;
        bool original_has_all = true;
        for (const std::string& value : o) update_has_all &= Contains(u, value);
        for (const std::string& value : u) original_has_all &= Contains(o, value);
        if (update_has_all && !original_has_all) {
          Add(diff::kDependencyArrayExtended);
        } else if (!update_has_all && !original_has_all) {
          Add(diff::kDependencyArrayChanged);
        }
      } else if (before == nullptr || before->is_array()) {
        Add(diff::kDependencySchemaAdded);
      } else {
        Compare(Node{before, original_node.root}, Node{&dependency, update_node.root});
      }
    }
  }

  // Arrays: `items` as one schema for all items, or a tuple (`items` array or `prefixItems`)
  // followed by additional items (`additionalItems`, or `items` after `prefixItems`).
  struct ArrayModel {
    const Json* all_items = nullptr;
    std::vector<const Json*> tuple;
    bool permits_additional = true;
    const Json* additional_schema = nullptr;
    bool open = true;
  };

  static ArrayModel ArrayModelOf(const Json& schema) {
    ArrayModel model;
    const Json* items = Find(schema, "items");
    const Json* prefix = Find(schema, "prefixItems");
    const Json* additional = Find(schema, "additionalItems");
    if (prefix != nullptr && prefix->is_array()) {
      for (const Json& item : *prefix) model.tuple.push_back(&item);
      additional = items;
    } else if (items != nullptr && items->is_array()) {
      for (const Json& item : *items) model.tuple.push_back(&item);
    } else {
      model.all_items = items;
      additional = nullptr;  // additionalItems only applies after a tuple
    }
    if (additional != nullptr && additional->is_boolean()) {
      model.permits_additional = additional->get<bool>();
    } else if (additional != nullptr && additional->is_object()) {
      model.additional_schema = additional;
    }
    const Json* unevaluated = Find(schema, "unevaluatedItems");
    bool unevaluated_open = unevaluated == nullptr ||
                            (unevaluated->is_boolean() && unevaluated->get<bool>()) ||
                            (unevaluated->is_object() && unevaluated->empty());
    model.open = model.permits_additional && model.additional_schema == nullptr && unevaluated_open;
    return model;
  }

  void CompareArray(Node original_node, Node update_node) {
    const Json& original = *original_node.schema;
    const Json& update = *update_node.schema;
    ArrayModel o = ArrayModelOf(original);
    ArrayModel u = ArrayModelOf(update);
    {
      PathScope scope(*this, "items");
      Compare(Node{o.all_items, original_node.root}, Node{u.all_items, update_node.root});
    }
    size_t common = std::min(o.tuple.size(), u.tuple.size());
    for (size_t i = 0; i < std::max(o.tuple.size(), u.tuple.size()); ++i) {
      PathScope scope(*this, absl::StrCat("items/", i));
      if (i < common) {
        Compare(Node{o.tuple[i], original_node.root}, Node{u.tuple[i], update_node.root});
      } else if (i < o.tuple.size()) {  // the reader dropped a tuple position
        if (u.open) continue;
        if (u.additional_schema != nullptr) {
          if (!CompareKeeping(Node{o.tuple[i], original_node.root},
                              Node{u.additional_schema, update_node.root})) {
            Add(diff::kItemRemovedNotCovered);
          }
        } else if (!(o.tuple[i]->is_boolean() && !o.tuple[i]->get<bool>())) {
          Add(diff::kItemRemovedFromClosed);
        }
      } else {  // the reader added a tuple position
        if (o.open) {
          if (!IsEmptySchema(*u.tuple[i])) Add(diff::kItemAddedToOpen);
        } else if (o.additional_schema != nullptr) {
          if (!CompareKeeping(Node{o.additional_schema, original_node.root},
                              Node{u.tuple[i], update_node.root})) {
            Add(diff::kItemAddedNotCovered);
          }
        }
      }
    }
    {
      PathScope scope(*this, "additionalItems");
      if (o.permits_additional != u.permits_additional) {
        if (o.permits_additional) Add(diff::kAdditionalItemsRemoved);
      } else if (o.additional_schema == nullptr && u.additional_schema != nullptr) {
        Add(diff::kAdditionalItemsNarrowed);
      } else if (o.additional_schema != nullptr && u.additional_schema != nullptr) {
        Compare(Node{o.additional_schema, original_node.root},
                Node{u.additional_schema, update_node.root});
      }
    }
    CompareLimit(original, update, "maxItems", diff::kMaxItemsAdded, diff::kMaxItemsDecreased,
                 true);
    CompareLimit(original, update, "minItems", diff::kMinItemsAdded, diff::kMinItemsIncreased,
                 false);
    const Json* o_unique = Find(original, "uniqueItems");
    const Json* u_unique = Find(update, "uniqueItems");
    bool original_unique = o_unique != nullptr && o_unique->is_boolean() && o_unique->get<bool>();
    bool update_unique = u_unique != nullptr && u_unique->is_boolean() && u_unique->get<bool>();
    if (update_unique && !original_unique) Add("uniqueItems", diff::kUniqueItemsAdded);
  }

  const JsonSchema& reader_;
  const JsonSchema& writer_;
  bool swapped_ = false;  // comparing `not` subschemas: reader's as original
  std::vector<std::string> path_;
  std::set<std::pair<const Json*, const Json*>> active_;
  std::map<std::pair<const Json*, std::string>, const Json*> derived_;
  std::deque<Json> arena_;
  std::vector<Incompatibility> result_;
};

}  // namespace

std::vector<Incompatibility> CheckCompatibility(const ParsedSchema& reader,
                                                const ParsedSchema& writer) {
  const auto* reader_schema = dynamic_cast<const JsonSchema*>(&reader);
  const auto* writer_schema = dynamic_cast<const JsonSchema*>(&writer);
  if (reader_schema == nullptr || writer_schema == nullptr) {
    return {Incompatibility{
        .error_type = "TYPE_MISMATCH",
        .path = "#/",
        .description = "Both schemas must be JSON schemas",
    }};
  }
  Differ differ(*reader_schema, *writer_schema);
  differ.Compare(Node{&writer_schema->document(), &writer_schema->document()},
                 Node{&reader_schema->document(), &reader_schema->document()});
  return differ.TakeResult();
}

}  // namespace cdcflow::schema_registry::json_schema
