#pragma once
#include "hal.h"
#include "reading.h"

namespace hp {

// Pins from the issue. The three state inputs (optocoupled 230 V contacts) are not in the issue's
// list; they take free input-capable GPIOs.
namespace pin {
constexpr uint8_t kGsmRx = 16, kGsmTx = 17;
constexpr uint8_t kNtcInlet = 34, kNtcOutlet = 35, kNtcAmbient = 32, kNtcCompressor = 33;
constexpr uint8_t kVoltage = 36, kCurrent = 39;
constexpr uint8_t kPressureHigh = 25, kPressureLow = 26;
constexpr uint8_t kLed = 2;
constexpr uint8_t kCompressorOn = 27, kFanOn = 14, kDefrostOn = 13;
}  // namespace pin

/** One reading of every sensor (time left 0: the caller stamps it). */
Reading readSensors(Adc& adc, DigitalIn& din);

}  // namespace hp
