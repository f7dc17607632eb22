#pragma once

// Typed service configuration from one YAML file plus CDCFLOW_<SECTION>_<KEY> environment
// overrides. A service declares its fields once (Bind), pointing at members of its own
// Config struct; Load fills them and rejects unknown keys, wrong types and missing required
// keys with one line naming the key. Secret fields print as "****".
//
//   ConfigSpec spec;
//   spec.Bind("kafka", "bootstrap.servers", &cfg.kafka.bootstrap_servers, {.required = true});
//   spec.Bind("source", "password", &cfg.source.password, {.secret = true});
//   RETURN_IF_ERROR(spec.LoadFile(path, Environment::FromProcess()));
//
// YAML layout: top-level keys are sections, each a flat map whose keys may contain dots, as
// Debezium's do (`topic.prefix: dev`). The environment override of section `kafka`, key
// `bootstrap.servers` is CDCFLOW_KAFKA_BOOTSTRAP_SERVERS ('.' and '-' become '_'); a secret
// may instead be read from the file named by <NAME>_FILE. Lists in the environment are
// comma-separated, maps are `k=v,k2=v2`. Environment variables that name no field are
// ignored (the environment is shared with other programs).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace cdcflow::config {

// The process environment, or a fixed map in tests.
class Environment {
 public:
  static Environment FromProcess();
  static Environment FromMap(std::map<std::string, std::string> vars);
  std::optional<std::string> Get(const std::string& name) const;

 private:
  std::map<std::string, std::string> vars_;
};

struct FieldOptions {
  bool required = false;
  bool secret = false;
  // Allowed values of a string field (empty = any).
  std::vector<std::string> one_of;
  // Bounds of an integer field.
  std::optional<int64_t> min;
  std::optional<int64_t> max;
};

class ConfigSpec {
 public:
  ConfigSpec() = default;
  ConfigSpec(const ConfigSpec&) = delete;
  ConfigSpec& operator=(const ConfigSpec&) = delete;

  // The target keeps its current value as the default unless the file or environment sets it.
  void Bind(absl::string_view section, absl::string_view key, std::string* target,
            FieldOptions options = {});
  void Bind(absl::string_view section, absl::string_view key, bool* target,
            FieldOptions options = {});
  void Bind(absl::string_view section, absl::string_view key, int64_t* target,
            FieldOptions options = {});
  void Bind(absl::string_view section, absl::string_view key, int* target,
            FieldOptions options = {});
  void Bind(absl::string_view section, absl::string_view key, double* target,
            FieldOptions options = {});
  void Bind(absl::string_view section, absl::string_view key, std::vector<std::string>* target,
            FieldOptions options = {});
  void Bind(absl::string_view section, absl::string_view key,
            std::map<std::string, std::string>* target, FieldOptions options = {});
  // Every key of `section` that starts with `prefix` (e.g. "topic.creation.default.") and is
  // not a field of its own, as rest-of-key → value: Kafka Connect's open-ended key families.
  // In the environment, the prefix without its last dot names one variable holding a map
  // (CDCFLOW_CONNECTOR_TOPIC_CREATION_DEFAULT="partitions=3,cleanup.policy=compact").
  void BindPrefix(absl::string_view section, absl::string_view prefix,
                  std::map<std::string, std::string>* target);

  // Loads YAML text (may be empty: defaults + environment only), then the environment.
  // The error message is one line that names the key, e.g.
  //   kafka.linger.ms: must be an integer, got "soon"
  absl::Status LoadString(absl::string_view yaml, const Environment& env);
  absl::Status LoadFile(const std::string& path, const Environment& env);

  // "section.key = value" for every field, secrets masked: safe to log at startup.
  std::vector<std::string> Describe() const;

  // The environment variable that overrides a field.
  static std::string EnvName(absl::string_view section, absl::string_view key);

 private:
  enum class Kind { kScalar, kList, kMap, kPrefix };
  struct Field {
    std::string section;
    std::string key;
    Kind kind;
    FieldOptions options;
    std::function<absl::Status(absl::string_view)> set_from_string;
    std::function<absl::Status(std::vector<std::string>)> set_list;
    std::function<absl::Status(std::map<std::string, std::string>)> set_map;
    std::function<void(std::string, std::string)> set_entry;  // kPrefix: one key of the family
    std::function<std::string()> show;
    bool is_set = false;
    std::string Path() const { return section + "." + key; }
  };

  Field& AddField(absl::string_view section, absl::string_view key, Kind kind,
                  FieldOptions options);
  Field* Find(absl::string_view section, absl::string_view key);
  // The BindPrefix field whose prefix `key` extends, if any.
  Field* FindPrefix(absl::string_view section, absl::string_view key);
  bool HasSection(absl::string_view section) const;
  absl::Status ApplyEnvironment(const Environment& env);
  absl::Status CheckRequired() const;

  std::vector<Field> fields_;
};

}  // namespace cdcflow::config
