// Sensor transfer functions: raw ADC counts → physical values, each with a verdict on whether the
// value can be trusted (an open or shorted sensor, or an ADC at a rail, is invalid — never 0).
#pragma once
#include <cstddef>
#include <cstdint>

namespace hp {

constexpr float kAdcMax = 4095.0f;
constexpr float kVref = 3.3f;
// Counts this close to a rail mean a shorted or open sensor (and the ESP32 ADC is non-linear there).
constexpr uint16_t kRailMargin = 16;

struct Value {
  float value;
  bool valid;
};

/** 10k NTC (β 3950) to GND with a 10k pull-up to 3.3 V: R = R1·adc/(4095−adc), Beta equation. */
Value ntcCelsius(uint16_t adc, float beta = 3950.0f, float r0 = 10000.0f, float r1 = 10000.0f);
/** The ADC counts an NTC at tempC gives (the inverse; the host simulator uses it). */
uint16_t ntcCounts(float tempC, float beta = 3950.0f, float r0 = 10000.0f, float r1 = 10000.0f);

/** SIM800 table: 0 → −115, 1 → −111, 2…30 → −110…−54, 31 → −52; 99 unknown (valid false). */
Value csqToDbm(int csq);
/** Linear csq/31·100, rounded; 99 unknown. */
Value csqToPercent(int csq);

// Sensors on 5 V (ACS712, pressure transducers) reach the 3.3 V ADC through a 2:3 divider
// (10k over 20k), so ACS712's zero at 2.5 V lands at the ADC's VCC/2.
constexpr float kDivider = 2.0f / 3.0f;
constexpr float kCurrentVPerA = 0.100f;   // ACS712-20A, at the sensor
constexpr float kVoltageCal = 460.0f;     // ZMPT101B trimmed so 230 V rms gives 0.5 V rms at the ADC
constexpr size_t kAcSamples = 200;        // 200 × 1 ms = 10 cycles at 50 Hz, 12 at 60 Hz: whole cycles
constexpr uint32_t kAcIntervalUs = 1000;

/** RMS of the AC part (around the samples' own mean) in volts at the ADC; invalid at a rail or off-centre. */
Value acRmsVolts(const uint16_t* samples, size_t n);
Value mainsVolts(const uint16_t* samples, size_t n);
Value mainsAmps(const uint16_t* samples, size_t n);
/** 0.5–4.5 V → 0–500 PSI; below 0.4 V (open) or above 4.6 V (short) invalid. */
Value pressurePsi(uint16_t adc);
uint16_t pressureCounts(float psi);

}  // namespace hp
