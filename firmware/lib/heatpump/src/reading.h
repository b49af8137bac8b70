#pragma once
#include <cstdint>

namespace hp {

/** The numeric sensors, in the order of the wire format (contracts/src/cellular.ts). */
enum Sensor : uint8_t {
  InletTemp, OutletTemp, AmbientTemp, CompressorTemp, Voltage, Current, Power, PressureHigh, PressureLow,
  SensorCount
};
extern const char* const kSensorNames[SensorCount];

struct Reading {
  uint32_t time = 0;  // Unix seconds, network time
  float values[SensorCount] = {};
  uint16_t validMask = 0;  // bit i: values[i] can be trusted
  bool compressor = false, fan = false, defrost = false;

  bool valid(Sensor s) const { return (validMask >> s) & 1u; }
  void set(Sensor s, float v, bool ok) {
    values[s] = ok ? v : 0.0f;
    if (ok) validMask |= uint16_t(1u << s); else validMask &= uint16_t(~(1u << s));
  }
};

}  // namespace hp
