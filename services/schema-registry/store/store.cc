#include "services/schema-registry/store/store.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace cdcflow::schema_registry {
namespace {

absl::string_view View(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsLive(const std::map<int32_t, VersionEntry>& versions) {
  return std::any_of(versions.begin(), versions.end(),
                     [](const auto& entry) { return !entry.second.deleted; });
}

}  // namespace

std::string Store::IdentityKey(const SchemaDefinition& definition) {
  std::string key = absl::StrCat(SchemaTypeName(definition.type), "\n", definition.text);
  for (const SchemaReference& ref : definition.references) {
    absl::StrAppend(&key, "\n", ref.name, "\n", ref.subject, "\n", ref.version);
  }
  return key;
}

absl::Status Store::Apply(int64_t offset, std::string_view key, const std::string_view* value) {
  absl::Status status;
  {
    std::unique_lock lock(mu_);
    status = ApplyLocked(key, value);
  }
  {
    std::lock_guard lock(offset_mu_);
    next_offset_ = std::max(next_offset_, offset + 1);
  }
  offset_cv_.notify_all();
  return status;
}

absl::Status Store::ApplyLocked(std::string_view key_text, const std::string_view* value) {
  absl::StatusOr<RecordKey> key = DecodeKey(key_text);
  if (!key.ok()) return key.status();
  switch (key->type) {
    case KeyType::kNoop:
      if (value != nullptr) {
        if (std::optional<LeaderValue> leader = DecodeLeaderValue(*value)) leader_ = *leader;
      }
      return absl::OkStatus();
    case KeyType::kConfig:
    case KeyType::kMode: {
      bool is_config = key->type == KeyType::kConfig;
      std::optional<CompatibilityLevel> level;
      std::optional<Mode> mode;
      if (value != nullptr) {
        absl::StatusOr<std::string> name =
            is_config ? DecodeConfigValue(*value) : DecodeModeValue(*value);
        if (!name.ok()) return name.status();
        if (is_config) {
          level = ParseCompatibilityLevel(*name);
          if (!level) return absl::InvalidArgumentError(absl::StrCat("unknown level ", *name));
        } else {
          mode = ParseMode(*name);
          if (!mode) return absl::InvalidArgumentError(absl::StrCat("unknown mode ", *name));
        }
      }
      if (!key->subject) {
        if (is_config) global_compatibility_ = level;
        if (!is_config) global_mode_ = mode;
      } else {
        SubjectState& subject = subjects_[*key->subject];
        if (is_config) subject.compatibility = level;
        if (!is_config) subject.mode = mode;
      }
      return absl::OkStatus();
    }
    case KeyType::kDeleteSubject: {
      if (value == nullptr) return absl::OkStatus();
      absl::StatusOr<SubjectVersionValue> deleted = DecodeSubjectVersionValue(*value);
      if (!deleted.ok()) return deleted.status();
      auto it = subjects_.find(*key->subject);
      if (it == subjects_.end()) return absl::OkStatus();
      for (auto& [version, entry] : it->second.versions) {
        if (version <= deleted->version) entry.deleted = true;
      }
      return absl::OkStatus();
    }
    case KeyType::kClearSubject: {
      if (value == nullptr) return absl::OkStatus();
      absl::StatusOr<SubjectVersionValue> cleared = DecodeSubjectVersionValue(*value);
      if (!cleared.ok()) return cleared.status();
      auto it = subjects_.find(*key->subject);
      if (it == subjects_.end()) return absl::OkStatus();
      std::vector<int32_t> forgotten;
      auto& versions = it->second.versions;
      for (auto v = versions.begin(); v != versions.end();) {
        if (v->first <= cleared->version && v->second.deleted) {
          forgotten.push_back(v->second.id);
          v = versions.erase(v);
        } else {
          ++v;
        }
      }
      for (int32_t id : forgotten) ForgetIdIfUnused(id);
      return absl::OkStatus();
    }
    case KeyType::kSchema: {
      auto subject_it = subjects_.find(*key->subject);
      if (value == nullptr) {  // permanent delete of one version
        if (subject_it == subjects_.end()) return absl::OkStatus();
        auto v = subject_it->second.versions.find(key->version);
        if (v == subject_it->second.versions.end()) return absl::OkStatus();
        int32_t id = v->second.id;
        subject_it->second.versions.erase(v);
        ForgetIdIfUnused(id);
        return absl::OkStatus();
      }
      absl::StatusOr<SchemaValue> schema = DecodeSchemaValue(*value);
      if (!schema.ok()) return schema.status();
      if (schema->subject != *key->subject || schema->version != key->version) {
        return absl::InvalidArgumentError("SCHEMA value names another subject or version");
      }
      auto existing = schemas_by_id_.find(schema->id);
      if (existing != schemas_by_id_.end() &&
          IdentityKey(existing->second->definition) != IdentityKey(schema->definition)) {
        return absl::InvalidArgumentError(
            absl::StrCat("schema id ", schema->id, " already names another schema; skipped"));
      }
      if (existing == schemas_by_id_.end()) {
        auto stored = std::make_shared<StoredSchema>();
        stored->id = schema->id;
        stored->definition = schema->definition;
        id_by_identity_.try_emplace(IdentityKey(stored->definition), schema->id);
        schemas_by_id_.emplace(schema->id, std::move(stored));
      }
      max_id_ = std::max(max_id_, schema->id);
      SubjectState& subject = subjects_[schema->subject];
      auto previous = subject.versions.find(schema->version);
      std::optional<int32_t> replaced_id;
      if (previous != subject.versions.end() && previous->second.id != schema->id) {
        replaced_id = previous->second.id;
      }
      subject.versions[schema->version] = {schema->version, schema->id, schema->deleted};
      if (replaced_id) ForgetIdIfUnused(*replaced_id);
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

void Store::ForgetIdIfUnused(int32_t id) {
  for (const auto& [name, subject] : subjects_) {
    for (const auto& [version, entry] : subject.versions) {
      if (entry.id == id) return;
    }
  }
  auto it = schemas_by_id_.find(id);
  if (it == schemas_by_id_.end()) return;
  std::string key = IdentityKey(it->second->definition);
  schemas_by_id_.erase(it);
  auto identity = id_by_identity_.find(key);
  if (identity == id_by_identity_.end() || identity->second != id) return;
  id_by_identity_.erase(identity);
  // An imported topic may hold the same schema under several ids: the lowest left stands in.
  std::optional<int32_t> other;
  for (const auto& [other_id, schema] : schemas_by_id_) {
    if ((!other || other_id < *other) && IdentityKey(schema->definition) == key) other = other_id;
  }
  if (other) id_by_identity_.emplace(std::move(key), *other);
}

int64_t Store::next_offset() const {
  std::lock_guard lock(offset_mu_);
  return next_offset_;
}

bool Store::WaitForOffset(int64_t next_offset, absl::Duration timeout) const {
  std::unique_lock lock(offset_mu_);
  return offset_cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                             [&] { return next_offset_ >= next_offset; });
}

std::shared_ptr<const StoredSchema> Store::SchemaById(int32_t id) const {
  std::shared_lock lock(mu_);
  auto it = schemas_by_id_.find(id);
  return it == schemas_by_id_.end() ? nullptr : it->second;
}

std::optional<int32_t> Store::IdOf(const SchemaDefinition& definition) const {
  std::string key = IdentityKey(definition);
  std::shared_lock lock(mu_);
  auto it = id_by_identity_.find(key);
  if (it == id_by_identity_.end()) return std::nullopt;
  return it->second;
}

int32_t Store::max_id() const {
  std::shared_lock lock(mu_);
  return max_id_;
}

size_t Store::schema_count() const {
  std::shared_lock lock(mu_);
  return schemas_by_id_.size();
}

std::vector<std::string> Store::Subjects(const SubjectFilter& filter) const {
  std::vector<std::string> out;
  std::shared_lock lock(mu_);
  for (const auto& [name, subject] : subjects_) {
    if (subject.versions.empty() || !absl::StartsWith(name, filter.prefix)) continue;
    bool live = IsLive(subject.versions);
    bool wanted = filter.deleted_only ? !live : (live || filter.include_deleted);
    if (wanted) out.push_back(name);
  }
  return out;
}

size_t Store::subject_count() const {
  std::shared_lock lock(mu_);
  return std::count_if(subjects_.begin(), subjects_.end(),
                       [](const auto& entry) { return IsLive(entry.second.versions); });
}

std::vector<VersionEntry> Store::Versions(std::string_view subject) const {
  std::vector<VersionEntry> out;
  std::shared_lock lock(mu_);
  auto it = subjects_.find(subject);
  if (it == subjects_.end()) return out;
  for (const auto& [version, entry] : it->second.versions) out.push_back(entry);
  return out;
}

std::vector<SubjectVersion> Store::UsesOf(int32_t id) const {
  std::vector<SubjectVersion> out;
  std::shared_lock lock(mu_);
  for (const auto& [name, subject] : subjects_) {
    for (const auto& [version, entry] : subject.versions) {
      if (entry.id == id) out.push_back({name, version, entry.deleted});
    }
  }
  return out;
}

std::vector<int32_t> Store::ReferencedBy(std::string_view subject, int32_t version) const {
  std::vector<int32_t> out;
  std::shared_lock lock(mu_);
  for (const auto& [name, state] : subjects_) {
    for (const auto& [v, entry] : state.versions) {
      if (entry.deleted) continue;
      auto schema = schemas_by_id_.find(entry.id);
      if (schema == schemas_by_id_.end()) continue;
      for (const SchemaReference& ref : schema->second->definition.references) {
        if (ref.subject == View(subject) && ref.version == version) {
          out.push_back(entry.id);
          break;
        }
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<CompatibilityLevel> Store::GlobalCompatibility() const {
  std::shared_lock lock(mu_);
  return global_compatibility_;
}

std::optional<CompatibilityLevel> Store::SubjectCompatibility(std::string_view subject) const {
  std::shared_lock lock(mu_);
  auto it = subjects_.find(subject);
  return it == subjects_.end() ? std::nullopt : it->second.compatibility;
}

std::optional<Mode> Store::GlobalMode() const {
  std::shared_lock lock(mu_);
  return global_mode_;
}

std::optional<Mode> Store::SubjectMode(std::string_view subject) const {
  std::shared_lock lock(mu_);
  auto it = subjects_.find(subject);
  return it == subjects_.end() ? std::nullopt : it->second.mode;
}

bool Store::HasLiveSubject() const {
  std::shared_lock lock(mu_);
  return std::any_of(subjects_.begin(), subjects_.end(),
                     [](const auto& entry) { return IsLive(entry.second.versions); });
}

std::optional<LeaderValue> Store::leader() const {
  std::shared_lock lock(mu_);
  return leader_;
}

}  // namespace cdcflow::schema_registry
