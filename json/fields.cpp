#include "json/fields.hpp"

namespace scribe::json_fields {

const nlohmann::json& member(const nlohmann::json& obj, const char* key) {
  static const nlohmann::json null_value;
  if (!obj.is_object()) return null_value;
  const auto it = obj.find(key);
  return it == obj.end() ? null_value : *it;
}

std::string string_at(const nlohmann::json& obj, const char* key) {
  const auto& value = member(obj, key);
  return value.is_string() ? value.get<std::string>() : std::string{};
}

}  // namespace scribe::json_fields
