//===- Profile.cpp - kiln-run --profile -------------------------*- C++ -*-===//

#include "Profile.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <numeric>

namespace kiln {
namespace run {

std::optional<ProfileTables> findProfile(void *handle, const std::string &modelSymbol) {
  std::string name = modelSymbol;
  const std::string suffix = "_model";
  if (name.size() > suffix.size() &&
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
    name.resize(name.size() - suffix.size());
  auto *count = static_cast<const int64_t *>(::dlsym(handle, (name + "_profile_count").c_str()));
  auto *ns = static_cast<int64_t *>(::dlsym(handle, (name + "_profile_ns").c_str()));
  auto *calls = static_cast<int64_t *>(::dlsym(handle, (name + "_profile_calls").c_str()));
  auto *names = static_cast<const char *>(::dlsym(handle, (name + "_profile_names").c_str()));
  if (!count || !ns || !calls || !names || *count <= 0)
    return std::nullopt;
  ProfileTables tables;
  tables.ns = ns;
  tables.calls = calls;
  const char *p = names;
  for (int64_t i = 0; i < *count; ++i) {
    std::string entry = p;
    p += entry.size() + 1;
    size_t tab = entry.find('\t');
    tables.nodes.push_back(entry.substr(0, tab));
    tables.ops.push_back(tab == std::string::npos ? "" : entry.substr(tab + 1));
  }
  return tables;
}

void resetProfile(const ProfileTables &tables) {
  std::memset(tables.ns, 0, tables.nodes.size() * sizeof(int64_t));
  std::memset(tables.calls, 0, tables.nodes.size() * sizeof(int64_t));
}

void printProfile(const ProfileTables &tables, uint64_t runs, double measuredMs) {
  size_t n = tables.nodes.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return tables.ns[a] > tables.ns[b]; });
  double total = 0;
  for (size_t i = 0; i < n; ++i)
    total += double(tables.ns[i]);
  double perRun = total / 1e6 / double(runs);
  std::printf("profile: %" PRIu64 " runs, %zu nodes; %.3f ms per run in the timed ops, "
              "%.3f ms per run measured\n",
              runs, n, perRun, measuredMs / double(runs));
  std::printf("%10s %6s %6s  %s\n", "ms/run", "%", "calls", "node (op)");
  for (size_t i : order) {
    double ms = double(tables.ns[i]) / 1e6 / double(runs);
    double share = total > 0 ? 100.0 * double(tables.ns[i]) / total : 0.0;
    std::printf("%10.4f %6.2f %6" PRId64 "  %s%s%s%s\n", ms, share, tables.calls[i] / int64_t(runs),
                tables.nodes[i].c_str(), tables.ops[i].empty() ? "" : " (", tables.ops[i].c_str(),
                tables.ops[i].empty() ? "" : ")");
  }
}

} // namespace run
} // namespace kiln
