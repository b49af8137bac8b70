#include "sensors.h"

#include "convert.h"

namespace hp {

Reading readSensors(Adc& adc, DigitalIn& din) {
  Reading r;
  const uint8_t ntcPins[] = {pin::kNtcInlet, pin::kNtcOutlet, pin::kNtcAmbient, pin::kNtcCompressor};
  const Sensor ntcSensors[] = {InletTemp, OutletTemp, AmbientTemp, CompressorTemp};
  for (int i = 0; i < 4; i++) {
    // Average four samples: the ESP32 ADC is noisy.
    uint32_t sum = 0;
    bool rail = false;
    for (int k = 0; k < 4; k++) {
      const uint16_t c = adc.read(ntcPins[i]);
      if (c <= kRailMargin || c >= 4095 - kRailMargin) rail = true;
      sum += c;
    }
    const Value v = ntcCelsius(uint16_t(sum / 4));
    r.set(ntcSensors[i], v.value, v.valid && !rail);
  }
  static uint16_t wave[kAcSamples];
  adc.sample(pin::kVoltage, wave, kAcSamples, kAcIntervalUs);
  const Value volts = mainsVolts(wave, kAcSamples);
  adc.sample(pin::kCurrent, wave, kAcSamples, kAcIntervalUs);
  const Value amps = mainsAmps(wave, kAcSamples);
  r.set(Voltage, volts.value, volts.valid);
  r.set(Current, amps.value, amps.valid);
  // Apparent power (V·A): there is no phase reference between the two sensors.
  r.set(Power, volts.value * amps.value, volts.valid && amps.valid);
  const Value ph = pressurePsi(adc.read(pin::kPressureHigh));
  const Value pl = pressurePsi(adc.read(pin::kPressureLow));
  r.set(PressureHigh, ph.value, ph.valid);
  r.set(PressureLow, pl.value, pl.valid);
  r.compressor = din.read(pin::kCompressorOn);
  r.fan = din.read(pin::kFanOn);
  r.defrost = din.read(pin::kDefrostOn);
  return r;
}

}  // namespace hp
