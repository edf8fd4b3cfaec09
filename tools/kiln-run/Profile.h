//===- Profile.h - kiln-run --profile ---------------------------*- C++ -*-===//
//
// The per-node tables of a model compiled with kilnc --profile
// (NAME_profile_ns, NAME_profile_calls, NAME_profile_names,
// NAME_profile_count; see kiln-insert-profile), found in the loaded shared
// object, reset before the timed runs and printed after them, slowest
// node first.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TOOLS_KILN_RUN_PROFILE_H
#define KILN_TOOLS_KILN_RUN_PROFILE_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiln {
namespace run {

struct ProfileTables {
  int64_t *ns = nullptr;
  int64_t *calls = nullptr;
  std::vector<std::string> nodes, ops; ///< per entry
};

/// The tables of the model whose descriptor is `modelSymbol` (NAME_model)
/// in the shared object `handle`, or nullopt when it was compiled without
/// --profile.
std::optional<ProfileTables> findProfile(void *handle, const std::string &modelSymbol);

/// Zeroes the counters.
void resetProfile(const ProfileTables &tables);

/// Prints time per run for every entry, slowest first, after `runs` runs
/// that took `measuredMs` in all.
void printProfile(const ProfileTables &tables, uint64_t runs, double measuredMs);

} // namespace run
} // namespace kiln

#endif // KILN_TOOLS_KILN_RUN_PROFILE_H
