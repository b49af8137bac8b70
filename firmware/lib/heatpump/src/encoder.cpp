#include "encoder.h"

#include "convert.h"
#include "json.h"

namespace hp {

// Decimals per sensor: what the sensors resolve, no more (keeps a 60-reading batch near 20 KB).
static const int kDecimals[SensorCount] = {1, 1, 1, 1, 1, 2, 0, 1, 1};

std::string encodeReading(const Reading& r) {
  std::string s = "{\"time\":" + jsonString(isoTime(r.time));
  for (int i = 0; i < SensorCount; i++) {
    s += ",\"";
    s += kSensorNames[i];
    s += "\":";
    s += r.valid(Sensor(i)) ? jsonNumber(r.values[i], kDecimals[i]) : "null";
  }
  s += ",\"compressor\":";
  s += r.compressor ? "true" : "false";
  s += ",\"fan\":";
  s += r.fan ? "true" : "false";
  s += ",\"defrost\":";
  s += r.defrost ? "true" : "false";
  s += ",\"valid\":{";
  for (int i = 0; i < SensorCount; i++) {
    if (i) s += ',';
    s += '"';
    s += kSensorNames[i];
    s += "\":";
    s += r.valid(Sensor(i)) ? "true" : "false";
  }
  return s + "}}";
}

std::string encodeSignal(const SignalInfo& sig) {
  const Value dbm = csqToDbm(sig.csq), pct = csqToPercent(sig.csq);
  const int csq = sig.csq >= 0 && sig.csq <= 31 ? sig.csq : 99;
  return "{\"csq\":" + std::to_string(csq) + ",\"dbm\":" + (dbm.valid ? jsonNumber(dbm.value, 0) : "null") +
         ",\"percent\":" + (pct.valid ? jsonNumber(pct.value, 0) : "null") + "}";
}

std::string encodeBatch(const std::string& device, const std::string& fw, uint32_t seq,
                        const std::vector<Reading>& readings, size_t stillBuffered, const SignalInfo& signal) {
  std::string s = "{\"device\":" + jsonString(device) + ",\"fw\":" + jsonString(fw) +
                  ",\"seq\":" + std::to_string(seq) + ",\"readings\":[";
  for (size_t i = 0; i < readings.size(); i++) {
    if (i) s += ',';
    s += encodeReading(readings[i]);
  }
  return s + "],\"buffered\":" + std::to_string(stillBuffered) + ",\"signal\":" + encodeSignal(signal) + "}";
}

std::string encodeOnline(bool online, uint32_t time, const std::string& fw, uint32_t intervalS) {
  if (!online) return "{\"online\":false}";
  std::string s = "{\"online\":true";
  if (time) s += ",\"time\":" + jsonString(isoTime(time));
  return s + ",\"fw\":" + jsonString(fw) + ",\"intervalS\":" + std::to_string(intervalS) + "}";
}

}  // namespace hp
