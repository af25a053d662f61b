#include "crawl/worker_trust.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

namespace concur::crawl {
namespace {

namespace fs = std::filesystem;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

struct UrlFree {
  void operator()(CURLU *u) const { curl_url_cleanup(u); }
};

// One part of a URL as libcurl (the fetcher's parser) reads it; "" when absent.
std::string url_part(CURLU *url, CURLUPart part, unsigned flags = 0) {
  char *text = nullptr;
  if (curl_url_get(url, part, &text, flags) != CURLUE_OK || text == nullptr) return {};
  std::string out(text);
  curl_free(text);
  return out;
}

// "HOST[:PORT]" as --allow-host takes it: host and port ("" for any).
std::pair<std::string, std::string> split_allowed(const std::string &entry) {
  const auto close = entry.rfind(']');
  const auto colon = entry.rfind(':');
  const bool has_port =
      colon != std::string::npos &&
      (entry[0] == '[' ? close != std::string::npos && colon > close : entry.find(':') == colon);
  if (!has_port) return {lower(entry), ""};
  return {lower(entry.substr(0, colon)), entry.substr(colon + 1)};
}

bool inside(const fs::path &file, const fs::path &folder) {
  const auto [end, _] = std::mismatch(folder.begin(), folder.end(), file.begin(), file.end());
  return end == folder.end();
}

}  // namespace

std::string server_refusal(const std::string &base_url, const WorkerTrust &trust) {
  std::unique_ptr<CURLU, UrlFree> url(curl_url());
  if (curl_url_set(url.get(), CURLUPART_URL, base_url.c_str(), 0) != CURLUE_OK)
    return "the server URL '" + base_url + "' does not parse";
  const std::string scheme = lower(url_part(url.get(), CURLUPART_SCHEME));
  if (scheme != "http" && scheme != "https")
    return "the server URL '" + base_url + "' is not http:// or https://";
  if (trust.any_host) return {};
  const std::string host = lower(url_part(url.get(), CURLUPART_HOST));
  const std::string port = url_part(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  for (const auto &entry : trust.hosts) {
    const auto [allowed_host, allowed_port] = split_allowed(entry);
    if (allowed_host == host && (allowed_port.empty() || allowed_port == port)) return {};
  }
  return "server " + base_url + " is not one this worker may fetch from (loopback and " +
         "--allow-host only): start it with --allow-host " + host + ":" + port +
         ", or --allow-any-host";
}

std::string kernel_refusal(std::string &lua_file, const WorkerTrust &trust) {
  const fs::path file(lua_file);
  const std::string allowed = " (kernels load only from " + trust.kernels.string() +
                              ", --kernels DIR, by a relative path without '..')";
  if (file.is_absolute()) return "kernel file " + lua_file + " is an absolute path" + allowed;
  for (const auto &part : file)
    if (part == "..") return "kernel file " + lua_file + " climbs out with '..'" + allowed;
  std::error_code error;
  const fs::path folder = fs::canonical(trust.kernels, error);
  if (error) return "kernels folder " + trust.kernels.string() + ": " + error.message();
  const fs::path resolved = fs::canonical(file, error);
  if (error) return "kernel file " + lua_file + ": " + error.message();
  // Canonical paths: a symbolic link out of the folder is caught too.
  if (!inside(resolved, folder)) return "kernel file " + lua_file + " is outside" + allowed;
  lua_file = resolved.string();
  return {};
}

std::string refuse_or_resolve(CrawlSettings &settings, const WorkerTrust &trust) {
  if (!settings.base_url.empty())
    if (std::string why = server_refusal(settings.base_url, trust); !why.empty()) return why;
  if (!settings.compute) return {};
  auto items = std::make_shared<std::vector<compute::ComputeItem>>(*settings.compute);
  for (auto &item : *items)
    if (!item.lua_file.empty())
      if (std::string why = kernel_refusal(item.lua_file, trust); !why.empty()) return why;
  settings.compute = std::move(items);
  return {};
}

}  // namespace concur::crawl
