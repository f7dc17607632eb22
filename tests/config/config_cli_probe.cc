// A minimal binary using LoadOrExit, so tests can check the exit-code contract for real.
#include <string>

#include "libs/config/command_line.h"

int main(int argc, char** argv) {
  std::string bootstrap;
  std::string password;
  cdcflow::config::ConfigSpec spec;
  spec.Bind("kafka", "bootstrap.servers", &bootstrap, {.required = true});
  spec.Bind("kafka", "sasl.password", &password, {.secret = true});
  cdcflow::config::LoadOrExit("config_cli_probe", argc, argv, spec);
  return 0;
}
