#include "libs/config/config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <limits>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/common/status_macros.h"

extern char** environ;

namespace cdcflow::config {

namespace {

constexpr char kMask[] = "****";

absl::Status FieldError(const std::string& path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

std::string Quoted(absl::string_view s) { return absl::StrCat("\"", s, "\""); }

// "a, b ,c" -> {"a","b","c"}; empty items dropped.
std::vector<std::string> SplitList(absl::string_view s) {
  std::vector<std::string> out;
  for (absl::string_view item : absl::StrSplit(s, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) out.emplace_back(item);
  }
  return out;
}

std::string ShowMap(const std::map<std::string, std::string>& m) {
  return absl::StrCat("{", absl::StrJoin(m, ", ", absl::PairFormatter("=")), "}");
}

// "k=v,k2=v2" -> {k: v, k2: v2}, or an error naming `path`.
absl::Status ParseMap(const std::string& path, absl::string_view s,
                      std::map<std::string, std::string>* out) {
  for (const std::string& item : SplitList(s)) {
    std::pair<std::string, std::string> kv = absl::StrSplit(item, absl::MaxSplits('=', 1));
    if (kv.first.empty() || item.find('=') == std::string::npos) {
      return FieldError(path, absl::StrCat("must be a map (k=v,k2=v2), got ", Quoted(item)));
    }
    (*out)[std::string(absl::StripAsciiWhitespace(kv.first))] =
        std::string(absl::StripAsciiWhitespace(kv.second));
  }
  return absl::OkStatus();
}

}  // namespace

Environment Environment::FromProcess() {
  std::map<std::string, std::string> vars;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    absl::string_view entry(*e);
    size_t eq = entry.find('=');
    if (eq == absl::string_view::npos) continue;
    vars.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return FromMap(std::move(vars));
}

Environment Environment::FromMap(std::map<std::string, std::string> vars) {
  Environment env;
  env.vars_ = std::move(vars);
  return env;
}

std::optional<std::string> Environment::Get(const std::string& name) const {
  auto it = vars_.find(name);
  if (it == vars_.end()) return std::nullopt;
  return it->second;
}

std::string ConfigSpec::EnvName(absl::string_view section, absl::string_view key) {
  std::string name = absl::StrCat("CDCFLOW_", section, "_", key);
  for (char& c : name) {
    c = (c == '.' || c == '-') ? '_' : absl::ascii_toupper(static_cast<unsigned char>(c));
  }
  return name;
}

ConfigSpec::Field& ConfigSpec::AddField(absl::string_view section, absl::string_view key, Kind kind,
                                        FieldOptions options) {
  Field& f = fields_.emplace_back();
  f.section = std::string(section);
  f.key = std::string(key);
  f.kind = kind;
  f.options = std::move(options);
  return f;
}

void ConfigSpec::Bind(absl::string_view section, absl::string_view key, std::string* target,
                      FieldOptions options) {
  Field& f = AddField(section, key, Kind::kScalar, std::move(options));
  f.set_from_string = [target, path = f.Path(), one_of = f.options.one_of,
                       secret = f.options.secret](absl::string_view s) -> absl::Status {
    if (!one_of.empty() && std::find(one_of.begin(), one_of.end(), s) == one_of.end()) {
      return FieldError(path, absl::StrCat("must be one of ", absl::StrJoin(one_of, "|"), ", got ",
                                           secret ? kMask : Quoted(s)));
    }
    *target = std::string(s);
    return absl::OkStatus();
  };
  f.show = [target] { return *target; };
}

void ConfigSpec::Bind(absl::string_view section, absl::string_view key, bool* target,
                      FieldOptions options) {
  Field& f = AddField(section, key, Kind::kScalar, std::move(options));
  f.set_from_string = [target, path = f.Path()](absl::string_view s) -> absl::Status {
    if (!absl::SimpleAtob(s, target)) {
      return FieldError(path, absl::StrCat("must be a boolean (true|false), got ", Quoted(s)));
    }
    return absl::OkStatus();
  };
  f.show = [target] { return *target ? "true" : "false"; };
}

void ConfigSpec::Bind(absl::string_view section, absl::string_view key, int64_t* target,
                      FieldOptions options) {
  Field& f = AddField(section, key, Kind::kScalar, std::move(options));
  f.set_from_string = [target, path = f.Path(), min = f.options.min,
                       max = f.options.max](absl::string_view s) -> absl::Status {
    int64_t v;
    if (!absl::SimpleAtoi(s, &v)) {
      return FieldError(path, absl::StrCat("must be an integer, got ", Quoted(s)));
    }
    if ((min && v < *min) || (max && v > *max)) {
      return FieldError(path, absl::StrCat("must be in [", min ? absl::StrCat(*min) : "", ", ",
                                           max ? absl::StrCat(*max) : "", "], got ", v));
    }
    *target = v;
    return absl::OkStatus();
  };
  f.show = [target] { return absl::StrCat(*target); };
}

void ConfigSpec::Bind(absl::string_view section, absl::string_view key, int* target,
                      FieldOptions options) {
  // An int is an int64 with int's range as the outer bounds.
  if (!options.min || *options.min < std::numeric_limits<int>::min()) {
    options.min = std::numeric_limits<int>::min();
  }
  if (!options.max || *options.max > std::numeric_limits<int>::max()) {
    options.max = std::numeric_limits<int>::max();
  }
  Field& f = AddField(section, key, Kind::kScalar, std::move(options));
  f.set_from_string = [target, path = f.Path(), min = *f.options.min,
                       max = *f.options.max](absl::string_view s) -> absl::Status {
    int64_t v;
    if (!absl::SimpleAtoi(s, &v)) {
      return FieldError(path, absl::StrCat("must be an integer, got ", Quoted(s)));
    }
    if (v < min || v > max) {
      return FieldError(path, absl::StrCat("must be in [", min, ", ", max, "], got ", v));
    }
    *target = static_cast<int>(v);
    return absl::OkStatus();
  };
  f.show = [target] { return absl::StrCat(*target); };
}

void ConfigSpec::Bind(absl::string_view section, absl::string_view key, double* target,
                      FieldOptions options) {
  Field& f = AddField(section, key, Kind::kScalar, std::move(options));
  f.set_from_string = [target, path = f.Path()](absl::string_view s) -> absl::Status {
    if (!absl::SimpleAtod(s, target)) {
      return FieldError(path, absl::StrCat("must be a number, got ", Quoted(s)));
    }
    return absl::OkStatus();
  };
  f.show = [target] { return absl::StrCat(*target); };
}

void ConfigSpec::Bind(absl::string_view section, absl::string_view key,
                      std::vector<std::string>* target, FieldOptions options) {
  Field& f = AddField(section, key, Kind::kList, std::move(options));
  f.set_list = [target](std::vector<std::string> v) {
    *target = std::move(v);
    return absl::OkStatus();
  };
  f.set_from_string = [set = f.set_list](absl::string_view s) { return set(SplitList(s)); };
  f.show = [target] { return absl::StrCat("[", absl::StrJoin(*target, ", "), "]"); };
}

void ConfigSpec::Bind(absl::string_view section, absl::string_view key,
                      std::map<std::string, std::string>* target, FieldOptions options) {
  Field& f = AddField(section, key, Kind::kMap, std::move(options));
  f.set_map = [target](std::map<std::string, std::string> m) {
    *target = std::move(m);
    return absl::OkStatus();
  };
  f.set_from_string = [set = f.set_map, path = f.Path()](absl::string_view s) -> absl::Status {
    std::map<std::string, std::string> m;
    RETURN_IF_ERROR(ParseMap(path, s, &m));
    return set(std::move(m));
  };
  f.show = [target] { return ShowMap(*target); };
}

void ConfigSpec::BindPrefix(absl::string_view section, absl::string_view prefix,
                            std::map<std::string, std::string>* target) {
  Field& f = AddField(section, prefix, Kind::kPrefix, {});
  f.set_entry = [target](std::string key, std::string value) {
    (*target)[std::move(key)] = std::move(value);
  };
  // The environment's map adds to (and overrides) what the file set.
  f.set_from_string = [target, path = f.Path()](absl::string_view s) -> absl::Status {
    std::map<std::string, std::string> m;
    RETURN_IF_ERROR(ParseMap(path, s, &m));
    for (auto& [k, v] : m) (*target)[k] = std::move(v);
    return absl::OkStatus();
  };
  f.show = [target] { return ShowMap(*target); };
}

ConfigSpec::Field* ConfigSpec::Find(absl::string_view section, absl::string_view key) {
  for (Field& f : fields_) {
    if (f.kind != Kind::kPrefix && f.section == section && f.key == key) return &f;
  }
  return nullptr;
}

ConfigSpec::Field* ConfigSpec::FindPrefix(absl::string_view section, absl::string_view key) {
  for (Field& f : fields_) {
    if (f.kind == Kind::kPrefix && f.section == section && key.size() > f.key.size() &&
        absl::StartsWith(key, f.key)) {
      return &f;
    }
  }
  return nullptr;
}

bool ConfigSpec::HasSection(absl::string_view section) const {
  for (const Field& f : fields_) {
    if (f.section == section) return true;
  }
  return false;
}

namespace {

// Scalars of a YAML sequence, or an error naming the path.
absl::Status YamlToList(const std::string& path, const YAML::Node& node,
                        std::vector<std::string>* out) {
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) return FieldError(path, "must be a list of strings");
    out->push_back(item.Scalar());
  }
  return absl::OkStatus();
}

absl::Status YamlToMap(const std::string& path, const YAML::Node& node,
                       std::map<std::string, std::string>* out) {
  for (const auto& kv : node) {
    if (!kv.first.IsScalar() || !kv.second.IsScalar()) {
      return FieldError(path, "must be a map of strings to strings");
    }
    (*out)[kv.first.Scalar()] = kv.second.Scalar();
  }
  return absl::OkStatus();
}

const char* NodeTypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    default:
      return "a scalar";
  }
}

}  // namespace

absl::Status ConfigSpec::LoadString(absl::string_view yaml, const Environment& env) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid YAML at line ", e.mark.line + 1, ": ", e.msg));
  }
  if (root.IsDefined() && !root.IsNull() && !root.IsMap()) {
    return absl::InvalidArgumentError("the config file must be a map of sections");
  }
  if (root.IsMap()) {
    for (const auto& section_kv : root) {
      const std::string section = section_kv.first.Scalar();
      if (!HasSection(section)) {
        return FieldError(section, "unknown key (not a section of this service)");
      }
      const YAML::Node& body = section_kv.second;
      if (body.IsNull()) continue;
      if (!body.IsMap()) return FieldError(section, "must be a map of keys");
      for (const auto& kv : body) {
        const std::string key = kv.first.Scalar();
        Field* f = Find(section, key);
        if (f == nullptr) {
          Field* family = FindPrefix(section, key);
          if (family == nullptr) return FieldError(absl::StrCat(section, ".", key), "unknown key");
          if (!kv.second.IsScalar()) {
            return FieldError(absl::StrCat(section, ".", key), "must be a scalar");
          }
          family->set_entry(key.substr(family->key.size()), kv.second.Scalar());
          family->is_set = true;
          continue;
        }
        const YAML::Node& value = kv.second;
        if (value.IsNull()) continue;  // `key:` with nothing = keep the default
        const std::string path = f->Path();
        if (value.IsScalar()) {
          RETURN_IF_ERROR(f->set_from_string(value.Scalar()));
        } else if (f->kind == Kind::kList && value.IsSequence()) {
          std::vector<std::string> items;
          RETURN_IF_ERROR(YamlToList(path, value, &items));
          RETURN_IF_ERROR(f->set_list(std::move(items)));
        } else if (f->kind == Kind::kMap && value.IsMap()) {
          std::map<std::string, std::string> items;
          RETURN_IF_ERROR(YamlToMap(path, value, &items));
          RETURN_IF_ERROR(f->set_map(std::move(items)));
        } else {
          return FieldError(path, absl::StrCat("has the wrong type (", NodeTypeName(value), ")"));
        }
        f->is_set = true;
      }
    }
  }
  RETURN_IF_ERROR(ApplyEnvironment(env));
  return CheckRequired();
}

absl::Status ConfigSpec::LoadFile(const std::string& path, const Environment& env) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::Status status = LoadString(text.str(), env);
  if (!status.ok()) {
    return absl::Status(status.code(), absl::StrCat(path, ": ", status.message()));
  }
  return status;
}

absl::Status ConfigSpec::ApplyEnvironment(const Environment& env) {
  for (Field& f : fields_) {
    const std::string name =
        EnvName(f.section, f.kind == Kind::kPrefix ? absl::StripSuffix(f.key, ".") : f.key);
    std::optional<std::string> value = env.Get(name);
    if (!value && f.options.secret) {
      // Secrets may come from a file (Docker/Kubernetes secrets): NAME_FILE=/run/secrets/x.
      if (std::optional<std::string> file = env.Get(name + "_FILE")) {
        std::ifstream in(*file);
        if (!in) return FieldError(f.Path(), absl::StrCat("cannot read ", name, "_FILE"));
        std::stringstream text;
        text << in.rdbuf();
        value = std::string(absl::StripTrailingAsciiWhitespace(text.str()));
      }
    }
    if (!value) continue;
    absl::Status status = f.set_from_string(*value);
    if (!status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(status.message(), " (from ", name, ")"));
    }
    f.is_set = true;
  }
  return absl::OkStatus();
}

absl::Status ConfigSpec::CheckRequired() const {
  for (const Field& f : fields_) {
    if (f.options.required && !f.is_set) {
      return FieldError(f.Path(), absl::StrCat("missing required key (set it in the config file "
                                               "or ",
                                               EnvName(f.section, f.key), ")"));
    }
  }
  return absl::OkStatus();
}

std::vector<std::string> ConfigSpec::Describe() const {
  std::vector<std::string> lines;
  lines.reserve(fields_.size());
  for (const Field& f : fields_) {
    lines.push_back(absl::StrCat(f.Path(), " = ", f.options.secret ? kMask : f.show()));
  }
  return lines;
}

}  // namespace cdcflow::config
