#pragma once
// One-line logs to stderr: "12:00:01.234 shoal peer: message". stdout stays
// free for what scripts read (the channel URI, JSON).

#include <string>
#include <string_view>

namespace shoal {

// The process's name in every line, e.g. "shoal source". Set once in main().
void set_log_name(std::string name);
void log_line(std::string_view message);

}  // namespace shoal
