#include "proxy/config/config_sections.h"

namespace meshlb::config {
namespace {

std::map<std::string, SectionValidator>& registry() {
  static std::map<std::string, SectionValidator> sections;
  return sections;
}

}  // namespace

void registerConfigSection(const std::string& name, SectionValidator validate) {
  registry()[name] = std::move(validate);
}

const std::map<std::string, SectionValidator>& registeredConfigSections() {
  return registry();
}

}  // namespace meshlb::config
