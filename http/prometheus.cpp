#include "http/prometheus.h"

#include <sstream>

namespace shoal {

std::string prometheus_text(const nlohmann::json& stats, const std::string& prefix) {
  std::ostringstream out;
  out.precision(10);
  for (const auto& [field, value] : stats.items()) {
    if (!value.is_number() && !value.is_boolean()) continue;
    const std::string name = prefix + "_" + field;
    out << "# TYPE " << name << " gauge\n" << name << ' ';
    if (value.is_boolean()) {
      out << (value.get<bool>() ? 1 : 0);
    } else if (value.is_number_float()) {
      out << value.get<double>();
    } else if (value.is_number_unsigned()) {
      out << value.get<uint64_t>();
    } else {
      out << value.get<int64_t>();
    }
    out << '\n';
  }
  return out.str();
}

}  // namespace shoal
