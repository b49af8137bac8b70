#include "convert.h"
#include "reading.h"

#include <cmath>

namespace hp {

const char* const kSensorNames[] = {"inletTemp", "outletTemp", "ambientTemp", "compressorTemp", "voltage",
                                    "current",   "power",      "pressureHigh", "pressureLow"};

static constexpr float kT0 = 298.15f;

Value ntcCelsius(uint16_t adc, float beta, float r0, float r1) {
  // At a rail the divider says "0 Ω" or "∞ Ω": a shorted or open thermistor.
  if (adc <= kRailMargin || adc >= 4095 - kRailMargin) return {0, false};
  const float r = r1 * float(adc) / (kAdcMax - float(adc));
  const float invT = 1.0f / kT0 + std::log(r / r0) / beta;
  const float c = 1.0f / invT - 273.15f;
  // A 10k NTC outside −40…150 °C is a broken sensor, not a reading.
  if (!(c >= -40.0f && c <= 150.0f)) return {c, false};
  return {c, true};
}

uint16_t ntcCounts(float tempC, float beta, float r0, float r1) {
  const float r = r0 * std::exp(beta * (1.0f / (tempC + 273.15f) - 1.0f / kT0));
  const float adc = kAdcMax * r / (r + r1);
  return uint16_t(std::lround(adc));
}

Value csqToDbm(int csq) {
  if (csq < 0 || csq > 31) return {0, false};
  if (csq == 0) return {-115, true};
  if (csq == 1) return {-111, true};
  if (csq == 31) return {-52, true};
  return {float(-110 + (csq - 2) * 2), true};
}

Value csqToPercent(int csq) {
  if (csq < 0 || csq > 31) return {0, false};
  return {float(std::lround(float(csq) * 100.0f / 31.0f)), true};
}

Value acRmsVolts(const uint16_t* s, size_t n) {
  if (n == 0) return {0, false};
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] <= 2 || s[i] >= 4093) return {0, false};  // clipped: the RMS would be wrong
    sum += s[i];
  }
  const double mean = sum / double(n);
  // The bias sits at VCC/2; far off it, the sensor is unplugged or broken.
  if (mean < 1400 || mean > 2700) return {0, false};
  double sq = 0;
  for (size_t i = 0; i < n; i++) sq += (s[i] - mean) * (s[i] - mean);
  const double rmsCounts = std::sqrt(sq / double(n));
  return {float(rmsCounts * kVref / kAdcMax), true};
}

Value mainsVolts(const uint16_t* s, size_t n) {
  const Value v = acRmsVolts(s, n);
  return {v.value * kVoltageCal, v.valid};
}

Value mainsAmps(const uint16_t* s, size_t n) {
  const Value v = acRmsVolts(s, n);
  return {v.value / kDivider / kCurrentVPerA, v.valid};
}

Value pressurePsi(uint16_t adc) {
  const float v = float(adc) * kVref / kAdcMax / kDivider;
  if (v < 0.4f || v > 4.6f) return {0, false};
  float psi = (v - 0.5f) / 4.0f * 500.0f;
  if (psi < 0) psi = 0;
  return {psi, true};
}

uint16_t pressureCounts(float psi) {
  const float v = (0.5f + psi / 500.0f * 4.0f) * kDivider;
  return uint16_t(std::lround(v / kVref * kAdcMax));
}

}  // namespace hp
