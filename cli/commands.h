// The subcommands of the hark executable; each returns the process exit status.
#pragma once

namespace hark::cli {

/// `hark run`: start the dialer with its configuration.
int run_command(int argc, char** argv);
/// `hark amd`: offline AMD replay of audio files, with optional scoring against labels.
int amd_command(int argc, char** argv);
/// `hark simulate-callee`: a SIP callee that answers by the number dialed.
int simulate_callee_command(int argc, char** argv);
/// `hark loadtest`: a bounded carrier load test with live progress and a report.
int loadtest_command(int argc, char** argv);

}  // namespace hark::cli
