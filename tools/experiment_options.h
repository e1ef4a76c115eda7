#pragma once
// The command-line options `shoal swarm` and `shoal simulate` share: one
// definition each (name, default, help), filling an ExperimentOptions. Each
// command adds the options only it has.

#include "experiment/options.h"
#include "tools/cli.h"

namespace shoal::cli {

void add_experiment_options(Command& command, experiment::ExperimentOptions& options);

}  // namespace shoal::cli
