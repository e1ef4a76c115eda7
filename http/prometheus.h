#pragma once
// A node's stats JSON in the Prometheus text format (version 0.0.4), for
// `/metrics`: every top-level number or boolean becomes a gauge named
// `<prefix>_<field>`; strings, lists and nulls are left out.

#include <nlohmann/json.hpp>
#include <string>

namespace shoal {

std::string prometheus_text(const nlohmann::json& stats, const std::string& prefix);

}  // namespace shoal
