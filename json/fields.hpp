#pragma once
// Reading fields of JSON that came from outside (chat platforms' payloads and API answers), where
// any field may be missing or of the wrong type. Never throws.

#include <nlohmann/json.hpp>

#include <string>

namespace scribe::json_fields {

// obj[key], or a null value when obj is not an object or has no such key.
const nlohmann::json& member(const nlohmann::json& obj, const char* key);

// obj[key] if it is a string, else "" (absent, null, a number, an object...).
std::string string_at(const nlohmann::json& obj, const char* key);

}  // namespace scribe::json_fields
