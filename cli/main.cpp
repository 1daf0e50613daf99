// hark: the command-line entry point. Each subcommand lives in its own file.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "cli/commands.h"

namespace {
void usage(FILE* f) {
  std::fputs(
      "usage: hark COMMAND [options]\n"
      "commands:\n"
      "  run                 start hark with its configuration (DATABASE_URL, HARK_*)\n"
      "  amd FILE...         replay recorded audio through the AMD classifier (QA)\n"
      "  simulate-callee     a SIP callee answering by the number dialed (test carrier)\n"
      "  loadtest            a bounded carrier load test with live progress and a report\n"
      "  version             print the version\n"
      "Run 'hark COMMAND --help' for a command's options.\n",
      f);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const std::string_view cmd = argv[1];
  if (cmd == "run") return hark::cli::run_command(argc - 1, argv + 1);
  if (cmd == "amd") return hark::cli::amd_command(argc - 1, argv + 1);
  if (cmd == "simulate-callee") return hark::cli::simulate_callee_command(argc - 1, argv + 1);
  if (cmd == "loadtest") return hark::cli::loadtest_command(argc - 1, argv + 1);
  if (cmd == "version" || cmd == "--version") {
    std::printf("hark %s\n", HARK_VERSION);
    return 0;
  }
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    usage(stdout);
    return 0;
  }
  std::fprintf(stderr, "hark: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return 2;
}
