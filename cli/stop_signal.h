// SIGINT/SIGTERM for the long-running subcommands: they ask the command to stop, nothing more.
#pragma once

namespace hark::cli {

/// Installs the SIGINT and SIGTERM handlers.
void install_stop_signals();
/// True once SIGINT or SIGTERM has arrived.
bool stop_requested();
/// Installs the handlers, then waits until a stop signal arrives or `seconds` have passed
/// (negative: no time limit).
void wait_for_stop(double seconds);

}  // namespace hark::cli
