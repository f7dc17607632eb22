#include "libs/config/command_line.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace cdcflow::config {

void LoadOrExit(absl::string_view program, int argc, char** argv, ConfigSpec& spec) {
  const std::string name(program);
  CLI::App app(name + ": a cdcflow service", name);
  std::string config_path;
  bool print_config = false;
  app.add_option("--config", config_path,
                 "YAML configuration file; every key can be overridden by CDCFLOW_<SECTION>_<KEY>");
  app.add_flag("--print-config", print_config,
               "print the effective configuration (secrets masked) and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    std::exit(app.exit(e));
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: config: %s\n", name.c_str(), e.what());
    std::exit(kConfigErrorExitCode);
  }

  const Environment env = Environment::FromProcess();
  absl::Status status =
      config_path.empty() ? spec.LoadString("", env) : spec.LoadFile(config_path, env);
  if (!status.ok()) {
    std::fprintf(stderr, "%s: config: %s\n", name.c_str(), std::string(status.message()).c_str());
    std::exit(kConfigErrorExitCode);
  }
  if (print_config) {
    for (const std::string& line : spec.Describe()) std::printf("%s\n", line.c_str());
    std::exit(0);
  }
}

}  // namespace cdcflow::config
