// Host tests of the firmware's measuring side: sensor conversions (NTC, signal quality, AC,
// pressure) and the ring buffer with its flash image. Protocol, alerts and link policy are in
// protocol_tests.cpp; the main loop's cases and main() in loop_tests.cpp.
#include <cmath>
#include <string>

#include "check.h"
#include "convert.h"
#include "encoder.h"
#include "fakes.h"
#include "firmware.h"
#include "ring_buffer.h"
#include "sensors.h"

using namespace hp;
using namespace hp::test;

// ── NTC ──────────────────────────────────────────────────────────────────────────────────────────
TEST(ntc_beta_equation_matches_the_reference_table) {
  // protocols.md §6 (computed): 10k, β 3950, NTC low side.
  CHECK_NEAR(ntcCelsius(2048).value, 25.0, 0.05);
  CHECK_NEAR(ntcCelsius(3740).value, -20.0, 0.3);
  CHECK_NEAR(ntcCelsius(3156).value, 0.0, 0.3);
  CHECK_NEAR(ntcCelsius(1081).value, 50.0, 0.3);
  CHECK_NEAR(ntcCelsius(613).value, 70.0, 0.3);
  CHECK(ntcCelsius(2048).valid);
  for (float c : {-20.f, 0.f, 25.f, 50.f, 90.f}) CHECK_NEAR(ntcCelsius(ntcCounts(c)).value, c, 0.3);
}

TEST(ntc_open_or_shorted_is_invalid_not_zero) {
  CHECK(!ntcCelsius(0).valid);     // shorted NTC (to GND)
  CHECK(!ntcCelsius(4095).valid);  // open NTC: pull-up to the rail
  CHECK(!ntcCelsius(4090).valid);
  CHECK(!ntcCelsius(5).valid);
  FakeAdc adc;
  FakeDin din;
  adc.dc[34] = 4095;  // inlet open
  adc.dc[33] = 0;     // compressor shorted
  const Reading r = readSensors(adc, din);
  CHECK(!r.valid(InletTemp));
  CHECK(!r.valid(CompressorTemp));
  CHECK(r.valid(OutletTemp));
  const std::string j = encodeReading(r);
  CHECK(contains(j, "\"inletTemp\":null"));
  CHECK(contains(j, "\"compressorTemp\":null"));
  CHECK(contains(j, "\"inletTemp\":false"));
}

// ── signal quality ───────────────────────────────────────────────────────────────────────────────
TEST(csq_to_dbm_follows_the_sim800_table) {
  CHECK_EQ(csqToDbm(0).value, -115.f);
  CHECK_EQ(csqToDbm(1).value, -111.f);
  CHECK_EQ(csqToDbm(2).value, -110.f);
  CHECK_EQ(csqToDbm(10).value, -94.f);
  CHECK_EQ(csqToDbm(30).value, -54.f);
  CHECK_EQ(csqToDbm(31).value, -52.f);
  CHECK(!csqToDbm(99).valid);
  CHECK(!csqToDbm(-1).valid);
}

TEST(csq_to_percent_is_linear) {
  CHECK_EQ(csqToPercent(0).value, 0.f);
  CHECK_EQ(csqToPercent(10).value, 32.f);
  CHECK_EQ(csqToPercent(20).value, 65.f);
  CHECK_EQ(csqToPercent(31).value, 100.f);
  CHECK(!csqToPercent(99).valid);
  CHECK_EQ(encodeSignal({99}), std::string("{\"csq\":99,\"dbm\":null,\"percent\":null}"));
  CHECK_EQ(encodeSignal({20}), std::string("{\"csq\":20,\"dbm\":-74,\"percent\":65}"));
}

// ── AC sensors, pressure ─────────────────────────────────────────────────────────────────────────
TEST(mains_rms_over_whole_cycles) {
  FakeAdc adc;
  FakeDin din;
  adc.setMains(230, 8);
  Reading r = readSensors(adc, din);
  CHECK_NEAR(r.values[Voltage], 230, 1.0);
  CHECK_NEAR(r.values[Current], 8, 0.1);
  CHECK_NEAR(r.values[Power], 230 * 8, 30);
  adc.setMains(252, 16);
  r = readSensors(adc, din);
  CHECK_NEAR(r.values[Voltage], 252, 1.0);
  CHECK_NEAR(r.values[Current], 16, 0.1);
  CHECK(r.valid(Current));
  adc.setMains(230, 30);  // beyond the ACS712's range: clipped at the rail
  r = readSensors(adc, din);
  CHECK(!r.valid(Current));
  CHECK(!r.valid(Power));
  CHECK(r.valid(Voltage));
  uint16_t flat[kAcSamples];
  for (auto& s : flat) s = 0;
  CHECK(!mainsVolts(flat, kAcSamples).valid);  // unplugged: stuck at a rail
}

TEST(pressure_transducer_range_and_faults) {
  CHECK_NEAR(pressurePsi(pressureCounts(0)).value, 0, 0.5);
  CHECK_NEAR(pressurePsi(pressureCounts(300)).value, 300, 0.5);
  CHECK_NEAR(pressurePsi(pressureCounts(500)).value, 500, 0.5);
  CHECK(!pressurePsi(0).valid);     // broken wire: 0 V
  CHECK(!pressurePsi(4095).valid);  // shorted to supply
  FakeAdc adc;
  FakeDin din;
  din.pins[pin::kCompressorOn] = true;
  din.pins[pin::kDefrostOn] = true;
  const Reading r = readSensors(adc, din);
  CHECK_NEAR(r.values[PressureHigh], 300, 0.5);
  CHECK_NEAR(r.values[PressureLow], 80, 0.5);
  CHECK(r.compressor && !r.fan && r.defrost);
}

// ── ring buffer ──────────────────────────────────────────────────────────────────────────────────
static Reading readingAt(uint32_t t) {
  Reading r;
  r.time = t;
  for (int i = 0; i < SensorCount; i++) r.set(Sensor(i), float(t % 1000) + 0.25f * float(i), i != 2);
  r.compressor = t % 2;
  r.fan = true;
  return r;
}

TEST(buffer_wraps_around_dropping_the_oldest) {
  RingBuffer b(5, nullptr);
  for (uint32_t t = 1; t <= 7; t++) b.push(readingAt(t));
  CHECK_EQ(b.size(), size_t(5));
  CHECK_EQ(b.overwritten(), uint32_t(2));
  auto v = b.peek(10);
  CHECK_EQ(v.size(), size_t(5));
  CHECK_EQ(v.front().time, uint32_t(3));
  CHECK_EQ(v.back().time, uint32_t(7));
  b.drop(2);
  v = b.peek(2);
  CHECK_EQ(v[0].time, uint32_t(5));
  CHECK_EQ(v[1].time, uint32_t(6));
  for (uint32_t t = 8; t <= 11; t++) b.push(readingAt(t));
  v = b.peek(10);
  CHECK_EQ(v.size(), size_t(5));
  CHECK_EQ(v.front().time, uint32_t(7));
  CHECK_EQ(v.back().time, uint32_t(11));
  b.drop(99);
  CHECK_EQ(b.size(), size_t(0));
}

TEST(buffer_survives_a_reboot_through_its_flash_image) {
  MemFlash flash(RingBuffer::imageSize(100));
  {
    RingBuffer b(100, &flash);
    CHECK_EQ(b.restore(), size_t(0));
    CHECK(b.lastRestoreError() != nullptr);  // first boot: erased flash
    for (uint32_t t = 1000; t < 1130; t++) b.push(readingAt(t));  // wraps: 130 into 100
    b.drop(10);
  }
  RingBuffer after(100, &flash);  // "reboot"
  CHECK_EQ(after.restore(), size_t(90));
  CHECK(after.lastRestoreError() == nullptr);
  const auto v = after.peek(100);
  CHECK_EQ(v.front().time, uint32_t(1040));
  CHECK_EQ(v.back().time, uint32_t(1129));
  const Reading want = readingAt(1040);
  CHECK_EQ(encodeReading(v.front()), encodeReading(want));
  CHECK(!v.front().valid(AmbientTemp));
}

TEST(buffer_image_layout_is_little_endian_with_crcs) {
  MemFlash flash(RingBuffer::imageSize(4));
  RingBuffer b(4, &flash);
  b.push(readingAt(0x01020304));
  // Header: magic "HPBF" as little-endian u32, version 1, slot size 48, capacity 4, head 0, count 1.
  CHECK_EQ(flash.bytes[0], uint8_t(0x46));
  CHECK_EQ(flash.bytes[3], uint8_t(0x48));
  CHECK_EQ(flash.bytes[4], uint8_t(1));
  CHECK_EQ(flash.bytes[6], uint8_t(48));
  CHECK_EQ(flash.bytes[8], uint8_t(4));
  CHECK_EQ(flash.bytes[16], uint8_t(1));
  // First slot: the reading's time, little-endian.
  CHECK_EQ(flash.bytes[24], uint8_t(0x04));
  CHECK_EQ(flash.bytes[27], uint8_t(0x01));
  CHECK_EQ(crc32(reinterpret_cast<const uint8_t*>("123456789"), 9), uint32_t(0xCBF43926));
}

TEST(buffer_skips_a_torn_slot_and_rejects_a_bad_header) {
  MemFlash flash(RingBuffer::imageSize(10));
  {
    RingBuffer b(10, &flash);
    for (uint32_t t = 1; t <= 5; t++) b.push(readingAt(t));
  }
  flash.bytes[RingBuffer::kHeaderSize + 2 * RingBuffer::kSlotSize + 5] ^= 0xFF;  // slot of t=3
  RingBuffer a(10, &flash);
  CHECK_EQ(a.restore(), size_t(4));
  CHECK(a.lastRestoreError() != nullptr);
  auto v = a.peek(10);
  CHECK_EQ(v[2].time, uint32_t(4));
  RingBuffer again(10, &flash);  // the repaired image restores cleanly
  CHECK_EQ(again.restore(), size_t(4));
  CHECK(again.lastRestoreError() == nullptr);
  RingBuffer other(20, &flash);  // capacity changed by a firmware update
  CHECK_EQ(other.restore(), size_t(0));
  flash.bytes[12] ^= 0xFF;
  RingBuffer bad(10, &flash);
  CHECK_EQ(bad.restore(), size_t(0));
  CHECK(contains(bad.lastRestoreError(), "corrupt"));
}
