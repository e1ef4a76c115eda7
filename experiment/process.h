#pragma once
// Process: a child process of ours, started with fork/exec, whose stdout we
// can read line by line. Used by ProcessSwarm (`shoal swarm`, `shoal demo`)
// to run a local broadcast and by the integration tests to run the real
// binary. The destructor kills a child still running (SIGKILL) and reaps
// it, so none outlives its owner.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "media/result.h"

namespace shoal {

class Process {
 public:
  // Starts argv[0] (a path) with the given arguments. stdout is piped to us;
  // stderr goes to `stderr_path` if given, else is inherited.
  static Result<Process> spawn(const std::vector<std::string>& argv,
                               const std::string& stderr_path = "");

  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  // The next line of stdout, without its newline; nullopt on timeout or EOF.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  // Everything left on stdout until EOF.
  std::string read_rest();
  void signal(int sig);
  // Waits up to `timeout` for the exit; the exit code (128 + signal if killed),
  // or nullopt if still running.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }

 private:
  Process(pid_t pid, int out_fd) : pid_(pid), out_fd_(out_fd) {}
  void reset();

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffered_;
  std::optional<int> exit_code_;
};

// The path of the running executable.
std::string self_executable();

}  // namespace shoal
