#include "services/schema-registry/rest/forwarder.h"

#include <curl/curl.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace cdcflow::schema_registry::rest {
namespace {

absl::string_view View(std::string_view s) { return absl::string_view(s.data(), s.size()); }

size_t CollectBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

size_t CollectHeader(char* data, size_t size, size_t count, void* out) {
  std::string_view line(data, size * count);
  if (absl::StartsWithIgnoreCase(View(line), "content-type:")) {
    std::string value(line.substr(13));
    absl::StripAsciiWhitespace(&value);
    *static_cast<std::string*>(out) = value;
  }
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

CurlForwarder::CurlForwarder(ForwarderOptions options) : options_(std::move(options)) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

absl::StatusOr<http::Response> CurlForwarder::Forward(const std::string& leader_url,
                                                      const http::Request& request) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  std::string base = leader_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string url = absl::StrCat(base, View(request.target));
  std::string method(request.method);
  std::string body(request.body);
  http::Response response;

  curl_slist* raw_headers = nullptr;
  for (const char* name : {"Content-Type", "Authorization", "Accept"}) {
    if (std::optional<std::string_view> value = request.header(name)) {
      raw_headers = curl_slist_append(raw_headers, absl::StrCat(name, ": ", View(*value)).c_str());
    }
  }
  // Without Expect, libcurl waits a second for "100 Continue" on larger bodies.
  raw_headers = curl_slist_append(raw_headers, "Expect:");
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw_headers);

  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.timeout)));
  if (!body.empty() || method == "POST" || method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  std::string userpwd = absl::StrCat(options_.user, ":", options_.password);
  if (!options_.user.empty() && !request.header("Authorization")) {
    curl_easy_setopt(c, CURLOPT_USERPWD, userpwd.c_str());
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, CollectBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, CollectHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.content_type);
  CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    return absl::UnavailableError(
        absl::StrCat("leader ", leader_url, ": ", curl_easy_strerror(code)));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  if (response.content_type.empty()) {
    response.content_type = "application/vnd.schemaregistry.v1+json";
  }
  return response;
}

}  // namespace cdcflow::schema_registry::rest
