#include "services/schema-registry/registry/registry.h"

#include <algorithm>
#include <functional>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/common/status_macros.h"
#include "services/schema-registry/errors.h"
#include "services/schema-registry/store/records.h"

namespace cdcflow::schema_registry {
namespace {

absl::string_view View(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::optional<int32_t> LatestVersion(const std::vector<VersionEntry>& versions, bool deleted) {
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    if (deleted || !it->deleted) return it->version;
  }
  return std::nullopt;
}

bool HasLive(const std::vector<VersionEntry>& versions) {
  return std::any_of(versions.begin(), versions.end(),
                     [](const VersionEntry& v) { return !v.deleted; });
}

SchemaLog::Record SchemaRecord(std::string_view subject, int32_t version, int32_t id,
                               const SchemaDefinition& definition, bool deleted) {
  RecordKey key{.type = KeyType::kSchema, .subject = std::string(subject), .version = version};
  SchemaValue value{.subject = std::string(subject),
                    .version = version,
                    .id = id,
                    .definition = definition,
                    .deleted = deleted};
  return {EncodeKey(key), EncodeSchemaValue(value)};
}

std::optional<std::string> SubjectOrNull(const std::optional<std::string>& subject) {
  return subject;
}

}  // namespace

absl::StatusOr<std::optional<int32_t>> ParseVersion(std::string_view version) {
  if (version == "latest" || version == "-1") return std::optional<int32_t>();
  int32_t number = 0;
  if (!absl::SimpleAtoi(View(version), &number) || number < 1) return InvalidVersion(version);
  return std::optional<int32_t>(number);
}

Registry::Registry(Store& store, SchemaLog& log, RegistryOptions options)
    : store_(store), log_(log), options_(options) {}

// ---------------------------------------------------------------------------- reads

std::vector<std::string> Registry::ListSubjects(const SubjectFilter& filter) const {
  return store_.Subjects(filter);
}

absl::StatusOr<std::vector<int32_t>> Registry::ListVersions(std::string_view subject, bool deleted,
                                                            bool deleted_only) const {
  std::vector<VersionEntry> versions = store_.Versions(subject);
  if (versions.empty() || (!deleted && !deleted_only && !HasLive(versions))) {
    return SubjectNotFound(subject);
  }
  std::vector<int32_t> out;
  for (const VersionEntry& v : versions) {
    if (deleted_only ? v.deleted : (deleted || !v.deleted)) out.push_back(v.version);
  }
  return out;
}

absl::StatusOr<VersionEntry> Registry::FindVersion(std::string_view subject,
                                                   std::string_view version, bool deleted) const {
  ASSIGN_OR_RETURN(std::optional<int32_t> number, ParseVersion(version));
  std::vector<VersionEntry> versions = store_.Versions(subject);
  if (versions.empty() || (!deleted && !HasLive(versions))) return SubjectNotFound(subject);
  if (!number) {
    number = LatestVersion(versions, deleted);
    if (!number) return SubjectNotFound(subject);
  }
  for (const VersionEntry& v : versions) {
    if (v.version == *number && (deleted || !v.deleted)) return v;
  }
  return VersionNotFound(*number);
}

absl::StatusOr<RegisteredSchema> Registry::GetVersion(std::string_view subject,
                                                      std::string_view version,
                                                      bool deleted) const {
  ASSIGN_OR_RETURN(VersionEntry entry, FindVersion(subject, version, deleted));
  std::shared_ptr<const StoredSchema> schema = store_.SchemaById(entry.id);
  if (schema == nullptr) return StoreError(absl::StrCat("schema ", entry.id, " is missing"));
  return RegisteredSchema{std::string(subject), entry.version, entry.id, entry.deleted,
                          std::move(schema)};
}

absl::StatusOr<std::shared_ptr<const StoredSchema>> Registry::GetSchema(int32_t id) const {
  std::shared_ptr<const StoredSchema> schema = store_.SchemaById(id);
  if (schema == nullptr) return SchemaIdNotFound(id);
  return schema;
}

absl::StatusOr<std::vector<std::string>> Registry::SubjectsOf(int32_t id, bool deleted) const {
  if (store_.SchemaById(id) == nullptr) return SchemaIdNotFound(id);
  std::set<std::string> subjects;
  for (const SubjectVersion& use : store_.UsesOf(id)) {
    if (deleted || !use.deleted) subjects.insert(use.subject);
  }
  return std::vector<std::string>(subjects.begin(), subjects.end());
}

absl::StatusOr<std::vector<SubjectVersion>> Registry::VersionsOf(int32_t id, bool deleted) const {
  if (store_.SchemaById(id) == nullptr) return SchemaIdNotFound(id);
  std::vector<SubjectVersion> out;
  for (SubjectVersion& use : store_.UsesOf(id)) {
    if (deleted || !use.deleted) out.push_back(std::move(use));
  }
  return out;
}

absl::StatusOr<std::vector<int32_t>> Registry::ReferencedBy(std::string_view subject,
                                                            std::string_view version) const {
  ASSIGN_OR_RETURN(VersionEntry entry, FindVersion(subject, version, /*deleted=*/false));
  return store_.ReferencedBy(subject, entry.version);
}

absl::StatusOr<RegisteredSchema> Registry::Lookup(std::string_view subject,
                                                  const Registration& registration,
                                                  bool deleted) const {
  std::vector<VersionEntry> versions = store_.Versions(subject);
  if (versions.empty() || (!deleted && !HasLive(versions))) return SubjectNotFound(subject);
  ASSIGN_OR_RETURN(Candidate candidate, Prepare(registration));
  std::optional<int32_t> id = store_.IdOf(candidate.definition);
  if (id) {
    // The newest matching version, as Confluent answers.
    for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
      if (it->id == *id && (deleted || !it->deleted)) {
        return RegisteredSchema{std::string(subject), it->version, it->id, it->deleted,
                                store_.SchemaById(it->id)};
      }
    }
  }
  return SchemaNotFound();
}

std::vector<RegisteredSchema> Registry::ListSchemas(std::string_view subject_prefix, bool deleted,
                                                    bool latest_only) const {
  std::vector<RegisteredSchema> out;
  SubjectFilter filter{.prefix = std::string(subject_prefix), .include_deleted = deleted};
  for (const std::string& subject : store_.Subjects(filter)) {
    std::vector<VersionEntry> versions = store_.Versions(subject);
    std::optional<int32_t> latest = LatestVersion(versions, deleted);
    for (const VersionEntry& v : versions) {
      if (v.deleted && !deleted) continue;
      if (latest_only && latest && v.version != *latest) continue;
      std::shared_ptr<const StoredSchema> schema = store_.SchemaById(v.id);
      if (schema != nullptr) out.push_back({subject, v.version, v.id, v.deleted, schema});
    }
  }
  return out;
}

absl::StatusOr<std::optional<int32_t>> Registry::RegisteredId(
    std::string_view subject, const Registration& registration) const {
  ASSIGN_OR_RETURN(Candidate candidate, Prepare(registration));
  std::optional<int32_t> id = store_.IdOf(candidate.definition);
  if (!id) return std::optional<int32_t>();
  for (const VersionEntry& v : store_.Versions(subject)) {
    if (v.id == *id && !v.deleted) {
      if (registration.id && *registration.id != *id) break;  // an import asks for another id
      return id;
    }
  }
  return std::optional<int32_t>();
}

// ---------------------------------------------------------------------------- parsing

absl::StatusOr<std::vector<ResolvedReference>> Registry::Resolve(
    const std::vector<SchemaReference>& references) const {
  // Depth first, a reference's own references before it, each schema once.
  std::vector<ResolvedReference> resolved;
  std::set<std::pair<std::string, int32_t>> seen;
  std::function<absl::Status(const std::vector<SchemaReference>&, int)> visit =
      [&](const std::vector<SchemaReference>& refs, int depth) -> absl::Status {
    if (depth > 32) return InvalidSchema("references nest more than 32 levels deep");
    for (const SchemaReference& ref : refs) {
      if (ref.name.empty() || ref.subject.empty()) {
        return InvalidSchema("a reference needs a name, a subject and a version");
      }
      absl::StatusOr<VersionEntry> entry =
          FindVersion(ref.subject, ref.version <= 0 ? "latest" : absl::StrCat(ref.version),
                      /*deleted=*/false);
      if (!entry.ok()) {
        return InvalidSchema(absl::StrCat("reference '", ref.name, "' (subject '", ref.subject,
                                          "' version ", ref.version,
                                          ") not found: ", entry.status().message()));
      }
      if (!seen.insert({ref.subject, entry->version}).second) continue;
      std::shared_ptr<const StoredSchema> schema = store_.SchemaById(entry->id);
      if (schema == nullptr) return StoreError("referenced schema is missing");
      RETURN_IF_ERROR(visit(schema->definition.references, depth + 1));
      resolved.push_back({ref.name, schema->definition.type, schema->definition.text});
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(visit(references, 0));
  return resolved;
}

absl::StatusOr<Registry::Candidate> Registry::Prepare(const Registration& registration) const {
  const SchemaDefinition& definition = registration.definition;
  ASSIGN_OR_RETURN(std::vector<ResolvedReference> resolved, Resolve(definition.references));
  absl::StatusOr<std::shared_ptr<const ParsedSchema>> parsed =
      ParseSchema(definition.type, definition.text, resolved);
  if (!parsed.ok()) {
    if (ErrorCodeOf(parsed.status()) == ErrorCode::kInvalidSchema) return parsed.status();
    return InvalidSchema(absl::StrCat("{schemaType: ", SchemaTypeName(definition.type),
                                      "}, details: ", parsed.status().message()));
  }
  Candidate candidate{.parsed = *std::move(parsed), .definition = definition};
  candidate.definition.text =
      registration.normalize ? candidate.parsed->Normalized() : candidate.parsed->canonical();
  return candidate;
}

absl::StatusOr<std::shared_ptr<const ParsedSchema>> Registry::Parsed(
    const StoredSchema& schema) const {
  {
    std::lock_guard lock(parsed_mu_);
    auto it = parsed_.find(schema.id);
    // An id hard-deleted and imported again may name another schema: check the definition.
    if (it != parsed_.end() && it->second.definition == schema.definition) {
      return it->second.parsed;
    }
  }
  ASSIGN_OR_RETURN(std::vector<ResolvedReference> resolved, Resolve(schema.definition.references));
  absl::StatusOr<std::shared_ptr<const ParsedSchema>> parsed =
      ParseSchema(schema.definition.type, schema.definition.text, resolved);
  if (!parsed.ok()) {
    return StoreError(
        absl::StrCat("stored schema ", schema.id, " does not parse: ", parsed.status().message()));
  }
  std::lock_guard lock(parsed_mu_);
  parsed_.insert_or_assign(schema.id, ParsedEntry{schema.definition, *parsed});
  return *parsed;
}

absl::StatusOr<std::vector<ExistingVersion>> Registry::LiveVersions(
    std::string_view subject) const {
  std::vector<ExistingVersion> out;
  for (const VersionEntry& v : store_.Versions(subject)) {
    if (v.deleted) continue;
    std::shared_ptr<const StoredSchema> schema = store_.SchemaById(v.id);
    if (schema == nullptr) continue;
    ASSIGN_OR_RETURN(std::shared_ptr<const ParsedSchema> parsed, Parsed(*schema));
    out.push_back({v.version, std::move(parsed)});
  }
  return out;
}

// ---------------------------------------------------------------------------- writes

absl::Status Registry::CheckWritable(std::string_view subject) const {
  if (EffectiveMode(subject) == Mode::kReadOnly) {
    return OperationNotPermitted(absl::StrCat("Subject ", View(subject), " is in read-only mode"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int32_t> Registry::Register(std::string_view subject,
                                           const Registration& registration) {
  std::lock_guard write_lock(write_mu_);
  RETURN_IF_ERROR(CheckWritable(subject));
  Mode mode = EffectiveMode(subject);
  bool importing = registration.id.has_value();
  if (importing && mode != Mode::kImport) {
    return OperationNotPermitted(absl::StrCat("Subject ", View(subject), " is not in import mode"));
  }
  // In IMPORT mode every registration names its id (Confluent refuses the others).
  if (!importing && mode == Mode::kImport) {
    return OperationNotPermitted(
        absl::StrCat("Subject ", View(subject), " is not in read-write mode"));
  }
  ASSIGN_OR_RETURN(Candidate candidate, Prepare(registration));
  std::vector<VersionEntry> versions = store_.Versions(subject);
  std::optional<int32_t> existing_id = store_.IdOf(candidate.definition);

  if (existing_id) {
    for (const VersionEntry& v : versions) {
      if (v.id == *existing_id && !v.deleted && (!importing || *registration.id == v.id)) {
        return v.id;  // already registered: no new version
      }
    }
  }
  if (mode != Mode::kImport) {
    ASSIGN_OR_RETURN(std::vector<ExistingVersion> live, LiveVersions(subject));
    std::vector<std::string> problems =
        CheckCompatibility(EffectiveCompatibility(subject), *candidate.parsed, live);
    if (!problems.empty()) {
      return IncompatibleSchema(absl::StrCat(
          "Schema being registered is incompatible with an earlier schema for subject \"",
          View(subject), "\", details: [", absl::StrJoin(problems, ", "), "]"));
    }
  }

  int32_t id = existing_id.value_or(store_.max_id() + 1);
  if (importing) {
    std::shared_ptr<const StoredSchema> holder = store_.SchemaById(*registration.id);
    if (holder != nullptr && holder->definition != candidate.definition) {
      return OperationNotPermitted(
          absl::StrCat("Overwrite new schema with id ", *registration.id, " is not permitted."));
    }
    id = *registration.id;
  }
  int32_t version = versions.empty() ? 1 : versions.back().version + 1;
  if (importing && registration.version) {
    for (const VersionEntry& v : versions) {
      if (v.version == *registration.version) {
        return OperationNotPermitted(absl::StrCat("Overwrite new schema with version ",
                                                  *registration.version, " is not permitted."));
      }
    }
    version = *registration.version;
  }
  RETURN_IF_ERROR(
      log_.Append({SchemaRecord(subject, version, id, candidate.definition, /*deleted=*/false)}));
  return id;
}

absl::StatusOr<std::vector<int32_t>> Registry::DeleteSubject(std::string_view subject,
                                                             bool permanent) {
  std::lock_guard write_lock(write_mu_);
  RETURN_IF_ERROR(CheckWritable(subject));
  std::vector<VersionEntry> versions = store_.Versions(subject);
  if (versions.empty()) return SubjectNotFound(subject);
  bool live = HasLive(versions);
  if (!permanent && !live) return SubjectSoftDeleted(subject);
  if (permanent && live) return SubjectNotSoftDeleted(subject);
  for (const VersionEntry& v : versions) {
    if (v.deleted) continue;
    std::vector<int32_t> users = store_.ReferencedBy(subject, v.version);
    if (!users.empty()) {
      return ReferenceExists(absl::StrCat("One or more references exist to the schema {subject=",
                                          View(subject), ",version=", v.version, "}."));
    }
  }
  std::vector<int32_t> deleted;
  std::vector<SchemaLog::Record> records;
  if (permanent) {
    for (const VersionEntry& v : versions) {
      deleted.push_back(v.version);
      records.push_back(
          {EncodeKey(
               {.type = KeyType::kSchema, .subject = std::string(subject), .version = v.version}),
           std::nullopt});
    }
    // The subject's own config and mode go with it.
    if (store_.SubjectCompatibility(subject)) {
      records.push_back(
          {EncodeKey({.type = KeyType::kConfig, .subject = std::string(subject)}), std::nullopt});
    }
    if (store_.SubjectMode(subject)) {
      records.push_back(
          {EncodeKey({.type = KeyType::kMode, .subject = std::string(subject)}), std::nullopt});
    }
  } else {
    for (const VersionEntry& v : versions) {
      if (!v.deleted) deleted.push_back(v.version);
    }
    records.push_back(
        {EncodeKey({.type = KeyType::kDeleteSubject, .subject = std::string(subject)}),
         EncodeSubjectVersionValue({std::string(subject), versions.back().version})});
  }
  RETURN_IF_ERROR(log_.Append(records));
  return deleted;
}

absl::StatusOr<int32_t> Registry::DeleteVersion(std::string_view subject, std::string_view version,
                                                bool permanent) {
  std::lock_guard write_lock(write_mu_);
  RETURN_IF_ERROR(CheckWritable(subject));
  ASSIGN_OR_RETURN(std::optional<int32_t> number, ParseVersion(version));
  std::vector<VersionEntry> versions = store_.Versions(subject);
  if (versions.empty()) return SubjectNotFound(subject);
  if (!number) {
    number = LatestVersion(versions, /*deleted=*/permanent);
    if (!number) return SubjectNotFound(subject);
  }
  auto it = std::find_if(versions.begin(), versions.end(),
                         [&](const VersionEntry& v) { return v.version == *number; });
  if (it == versions.end()) return VersionNotFound(*number);
  if (!permanent && it->deleted) return VersionSoftDeleted(subject, it->version);
  if (permanent && !it->deleted) return VersionNotSoftDeleted(subject, it->version);
  if (!it->deleted && !store_.ReferencedBy(subject, it->version).empty()) {
    return ReferenceExists(absl::StrCat("One or more references exist to the schema {subject=",
                                        View(subject), ",version=", it->version, "}."));
  }
  if (permanent) {
    RETURN_IF_ERROR(log_.Append(
        {{EncodeKey(
              {.type = KeyType::kSchema, .subject = std::string(subject), .version = it->version}),
          std::nullopt}}));
  } else {
    std::shared_ptr<const StoredSchema> schema = store_.SchemaById(it->id);
    if (schema == nullptr) return StoreError("schema of the version is missing");
    RETURN_IF_ERROR(log_.Append(
        {SchemaRecord(subject, it->version, it->id, schema->definition, /*deleted=*/true)}));
  }
  return it->version;
}

// ---------------------------------------------------------------------------- config, mode

CompatibilityLevel Registry::GlobalCompatibility() const {
  return store_.GlobalCompatibility().value_or(options_.default_compatibility);
}

CompatibilityLevel Registry::EffectiveCompatibility(std::string_view subject) const {
  return store_.SubjectCompatibility(subject).value_or(GlobalCompatibility());
}

absl::StatusOr<CompatibilityLevel> Registry::SubjectCompatibility(std::string_view subject,
                                                                  bool default_to_global) const {
  if (std::optional<CompatibilityLevel> level = store_.SubjectCompatibility(subject)) {
    return *level;
  }
  if (default_to_global) return GlobalCompatibility();
  return SubjectCompatibilityNotConfigured(subject);
}

absl::StatusOr<CompatibilityLevel> Registry::SetCompatibility(
    const std::optional<std::string>& subject, std::string_view level_name) {
  std::optional<CompatibilityLevel> level = ParseCompatibilityLevel(level_name);
  if (!level) return InvalidCompatibilityLevel(level_name);
  std::lock_guard write_lock(write_mu_);
  if (subject) RETURN_IF_ERROR(CheckWritable(*subject));
  RETURN_IF_ERROR(
      log_.Append({{EncodeKey({.type = KeyType::kConfig, .subject = SubjectOrNull(subject)}),
                    EncodeConfigValue(CompatibilityLevelName(*level))}}));
  return *level;
}

absl::StatusOr<CompatibilityLevel> Registry::DeleteCompatibility(
    const std::optional<std::string>& subject) {
  std::lock_guard write_lock(write_mu_);
  CompatibilityLevel previous = GlobalCompatibility();
  if (subject) {
    std::optional<CompatibilityLevel> own = store_.SubjectCompatibility(*subject);
    if (!own) return SubjectNotFound(*subject);
    previous = *own;
    RETURN_IF_ERROR(CheckWritable(*subject));
  }
  RETURN_IF_ERROR(log_.Append(
      {{EncodeKey({.type = KeyType::kConfig, .subject = SubjectOrNull(subject)}), std::nullopt}}));
  return previous;
}

Mode Registry::GlobalMode() const { return store_.GlobalMode().value_or(options_.default_mode); }

Mode Registry::EffectiveMode(std::string_view subject) const {
  return store_.SubjectMode(subject).value_or(GlobalMode());
}

absl::StatusOr<Mode> Registry::SubjectMode(std::string_view subject, bool default_to_global) const {
  if (std::optional<Mode> mode = store_.SubjectMode(subject)) return *mode;
  if (default_to_global) return GlobalMode();
  return SubjectModeNotConfigured(subject);
}

absl::StatusOr<Mode> Registry::SetMode(const std::optional<std::string>& subject,
                                       std::string_view mode_name, bool force) {
  std::optional<Mode> mode = ParseMode(mode_name);
  if (!mode) return InvalidMode(mode_name);
  std::lock_guard write_lock(write_mu_);
  Mode current = subject ? EffectiveMode(*subject) : GlobalMode();
  if (*mode == Mode::kImport && current != Mode::kImport && !force) {
    // Only live schemas count, as in Confluent (hasSubjects(subject, lookupDeleted=false)).
    bool has_schemas = false;
    if (subject) {
      for (const VersionEntry& v : store_.Versions(*subject)) has_schemas |= !v.deleted;
    } else {
      has_schemas = store_.HasLiveSubject();
    }
    if (has_schemas) {
      return OperationNotPermitted("Cannot import since found existing subjects");
    }
  }
  RETURN_IF_ERROR(
      log_.Append({{EncodeKey({.type = KeyType::kMode, .subject = SubjectOrNull(subject)}),
                    EncodeModeValue(ModeName(*mode))}}));
  return *mode;
}

absl::StatusOr<Mode> Registry::DeleteMode(const std::optional<std::string>& subject) {
  std::lock_guard write_lock(write_mu_);
  Mode previous = GlobalMode();
  if (subject) {
    std::optional<Mode> own = store_.SubjectMode(*subject);
    if (!own) return SubjectNotFound(*subject);
    previous = *own;
  }
  RETURN_IF_ERROR(log_.Append(
      {{EncodeKey({.type = KeyType::kMode, .subject = SubjectOrNull(subject)}), std::nullopt}}));
  return previous;
}

// ---------------------------------------------------------------------------- compatibility

absl::StatusOr<std::vector<std::string>> Registry::TestCompatibility(
    std::string_view subject, const std::optional<std::string>& version,
    const Registration& registration) const {
  CompatibilityLevel level = EffectiveCompatibility(subject);
  std::vector<ExistingVersion> against;
  if (version) {
    ASSIGN_OR_RETURN(VersionEntry entry, FindVersion(subject, *version, /*deleted=*/false));
    std::shared_ptr<const StoredSchema> schema = store_.SchemaById(entry.id);
    if (schema == nullptr) return StoreError("schema of the version is missing");
    ASSIGN_OR_RETURN(std::shared_ptr<const ParsedSchema> parsed, Parsed(*schema));
    against.push_back({entry.version, std::move(parsed)});
  } else {
    ASSIGN_OR_RETURN(against, LiveVersions(subject));
  }
  ASSIGN_OR_RETURN(Candidate candidate, Prepare(registration));
  return CheckCompatibility(level, *candidate.parsed, against);
}

}  // namespace cdcflow::schema_registry
