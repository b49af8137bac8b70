// A small hand-written JSON writer and reader. The ESP32 build could use ArduinoJson (it is in
// lib_deps), but the host build must not need anything fetched: the payloads are flat and fixed,
// so ~150 lines cover them and the same code is what the host tests and the contract test check.
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace hp {

std::string jsonString(const std::string& s);
/** A number with at most `decimals` decimals, trailing zeros trimmed; never NaN/Inf (null then). */
std::string jsonNumber(double v, int decimals);
/** Unix seconds → "2026-12-02T02:30:00Z". */
std::string isoTime(uint32_t unixSeconds);

/** A parsed flat JSON object: member → raw scalar text (strings unescaped), nested objects as
 *  "parent.child" keys. Arrays are not needed by any command and are rejected. */
struct JsonObject {
  std::map<std::string, std::string> strings;
  std::map<std::string, double> numbers;
  std::map<std::string, bool> bools;
  bool has(const std::string& k) const { return strings.count(k) || numbers.count(k) || bools.count(k); }
};

/** false with a reason for anything that is not one JSON object of scalars/objects. */
bool parseJsonObject(const std::string& text, JsonObject& out, std::string& error);

}  // namespace hp
