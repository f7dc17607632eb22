#pragma once

// The shared command line of every cdcflow binary:
//   <binary> --config path.yaml [--print-config]
// Loads the spec from the file and the environment. Any error — bad flag, unreadable file,
// unknown key, wrong type, missing key — prints one line "<program>: config: <message>" to
// stderr and exits with code 2 (the documented contract for config errors).

#include "absl/strings/string_view.h"

#include "libs/config/config.h"

namespace cdcflow::config {

inline constexpr int kConfigErrorExitCode = 2;

// Returns normally only when the configuration is valid. With --print-config, prints the
// effective configuration (secrets masked) and exits 0.
void LoadOrExit(absl::string_view program, int argc, char** argv, ConfigSpec& spec);

}  // namespace cdcflow::config
