// Host test suite of the firmware's logic: conversions, buffer, encoder, commands, alerts, link
// policy. The main loop's cases and main() are in loop_tests.cpp.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "alerts.h"
#include "check.h"
#include "commands.h"
#include "convert.h"
#include "encoder.h"
#include "fakes.h"
#include "firmware.h"
#include "json.h"
#include "link_policy.h"
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

// ── encoder ──────────────────────────────────────────────────────────────────────────────────────
TEST(iso_time_and_numbers) {
  CHECK_EQ(isoTime(0), std::string("1970-01-01T00:00:00Z"));
  CHECK_EQ(isoTime(1764642600), std::string("2025-12-02T02:30:00Z"));
  CHECK_EQ(isoTime(951782400), std::string("2000-02-29T00:00:00Z"));
  CHECK_EQ(isoTime(4294967295u), std::string("2106-02-07T06:28:15Z"));
  CHECK_EQ(jsonNumber(35.0, 1), std::string("35"));
  CHECK_EQ(jsonNumber(35.25, 1), std::string("35.2"));
  CHECK_EQ(jsonNumber(-0.01, 1), std::string("0"));
  CHECK_EQ(jsonNumber(NAN, 1), std::string("null"));
  CHECK_EQ(jsonString("a\"b\\\n\x01"), std::string("\"a\\\"b\\\\\\n\\u0001\""));
}

TEST(batch_encoding_is_exactly_the_wire_format) {
  Reading r;
  r.time = 1764642600;
  r.set(InletTemp, 35.21f, true);
  r.set(OutletTemp, 40.06f, true);
  r.set(AmbientTemp, 0, false);
  r.set(CompressorTemp, 70.5f, true);
  r.set(Voltage, 229.94f, true);
  r.set(Current, 8.126f, true);
  r.set(Power, 1868.4f, true);
  r.set(PressureHigh, 301.27f, true);
  r.set(PressureLow, 80, true);
  r.compressor = true;
  r.fan = true;
  const std::string got = encodeBatch("rm-01", "1.0.0", 7, {r}, 3, {20});
  const std::string want =
      "{\"device\":\"rm-01\",\"fw\":\"1.0.0\",\"seq\":7,\"readings\":[{\"time\":\"2025-12-02T02:30:00Z\","
      "\"inletTemp\":35.2,\"outletTemp\":40.1,\"ambientTemp\":null,\"compressorTemp\":70.5,\"voltage\":229.9,"
      "\"current\":8.13,\"power\":1868,\"pressureHigh\":301.3,\"pressureLow\":80,\"compressor\":true,\"fan\":true,"
      "\"defrost\":false,\"valid\":{\"inletTemp\":true,\"outletTemp\":true,\"ambientTemp\":false,"
      "\"compressorTemp\":true,\"voltage\":true,\"current\":true,\"power\":true,\"pressureHigh\":true,"
      "\"pressureLow\":true}}],\"buffered\":3,\"signal\":{\"csq\":20,\"dbm\":-74,\"percent\":65}}";
  CHECK_EQ(got, want);
  CHECK_EQ(encodeOnline(false, 0, "1.0.0", 0), std::string("{\"online\":false}"));
  CHECK_EQ(encodeOnline(true, 1764642600, "1.0.0", 300),
           std::string("{\"online\":true,\"time\":\"2025-12-02T02:30:00Z\",\"fw\":\"1.0.0\",\"intervalS\":300}"));
}

// ── JSON reader, commands ────────────────────────────────────────────────────────────────────────
TEST(json_reader_accepts_objects_and_names_what_is_wrong) {
  JsonObject o;
  std::string err;
  CHECK(parseJsonObject(" {\"id\":\"a\\\"1\",\"n\":-2.5e1,\"b\":true,\"x\":null,\"args\":{\"seconds\":60}} ", o, err));
  CHECK_EQ(o.strings["id"], std::string("a\"1"));
  CHECK_EQ(o.numbers["n"], -25.0);
  CHECK(o.bools["b"]);
  CHECK_EQ(o.numbers["args.seconds"], 60.0);
  JsonObject p;
  CHECK(!parseJsonObject("{\"id\":", p, err));
  CHECK(contains(err, "offset"));
  CHECK(!parseJsonObject("{} x", p, err));
  CHECK(contains(err, "trailing"));
  CHECK(!parseJsonObject("[1]", p, err));
  CHECK(!parseJsonObject("", p, err));
}

TEST(mqtt_commands_are_parsed_with_their_id) {
  Command c = parseMqttCommand("{\"id\":\"c1\",\"command\":\"STATUS\"}");
  CHECK(c.kind == CommandKind::Status);
  CHECK_EQ(c.id, std::string("c1"));
  c = parseMqttCommand("{\"id\":\"c2\",\"command\":\"RESET\"}");
  CHECK(c.kind == CommandKind::Reset);
  c = parseMqttCommand("{\"id\":\"c3\",\"command\":\"SET_INTERVAL\",\"args\":{\"seconds\":60}}");
  CHECK(c.kind == CommandKind::SetInterval);
  CHECK_EQ(c.seconds, 60);
  c = parseMqttCommand("{\"id\":\"c4\",\"command\":\"SET_INTERVAL\",\"args\":{\"seconds\":5}}");
  CHECK(c.kind == CommandKind::Unknown);
  CHECK(contains(c.error, "10"));
  c = parseMqttCommand("{\"id\":\"c5\",\"command\":\"FORMAT\"}");
  CHECK(c.kind == CommandKind::Unknown);
  CHECK(contains(c.error, "unknown command FORMAT"));
  c = parseMqttCommand("{\"command\":\"STATUS\"}");
  CHECK(c.kind == CommandKind::Unknown);
  CHECK(contains(c.error, "id"));
  c = parseMqttCommand("STATUS");
  CHECK(c.kind == CommandKind::Unknown);
  CHECK(contains(c.error, "malformed"));
}

TEST(sms_commands_only_from_authorised_numbers) {
  const std::vector<std::string> auth = {"+49 151 2345678", "0044 7700 900123"};
  Command c;
  CHECK(parseSms("+491512345678", " status\r\n", auth, c) == SmsVerdict::Accepted);
  CHECK(c.kind == CommandKind::Status);
  CHECK(parseSms("00491512345678", "Reset", auth, c) == SmsVerdict::Accepted);
  CHECK(c.kind == CommandKind::Reset);
  CHECK(parseSms("+447700900123", "STATUS", auth, c) == SmsVerdict::Accepted);
  CHECK(parseSms("+491512345679", "STATUS", auth, c) == SmsVerdict::Unauthorised);
  CHECK(parseSms("", "STATUS", auth, c) == SmsVerdict::Unauthorised);
  CHECK(parseSms("+491512345678", "STATUS", {}, c) == SmsVerdict::Unauthorised);
  CHECK(parseSms("+491512345678", "hello", auth, c) == SmsVerdict::Accepted);
  CHECK(c.kind == CommandKind::Unknown);
  CHECK(contains(c.error, "STATUS or RESET"));
  CHECK(parseSms("+491512345678", "SET_INTERVAL", auth, c) == SmsVerdict::Accepted);
  CHECK(c.kind == CommandKind::Unknown);
  CHECK_EQ(normalizeNumber("+49 (151) 234-5678"), std::string("+491512345678"));
}

// ── alerts ───────────────────────────────────────────────────────────────────────────────────────
static Reading normal(uint32_t t) {
  Reading r;
  r.time = t;
  const float v[SensorCount] = {35, 40, 5, 70, 230, 8, 1840, 300, 80};
  for (int i = 0; i < SensorCount; i++) r.set(Sensor(i), v[i], true);
  return r;
}

TEST(alert_thresholds_from_the_issue) {
  struct Case {
    Sensor s;
    float warn, crit, ok;
    const char* rule;
  } cs[] = {
      {Voltage, 246, 251, 230, "voltage_high"},         {Voltage, 214, 209, 230, "voltage_low"},
      {CompressorTemp, 86, 96, 70, "compressor_temp_high"}, {PressureHigh, 401, 451, 300, "high_pressure_high"},
      {PressureLow, 39, 19, 80, "low_pressure_low"},    {Current, 12.5f, 15.5f, 8, "current_high"},
  };
  for (const auto& c : cs) {
    AlertEvaluator ev;
    Reading r = normal(1);
    CHECK(ev.evaluate(r, 0, "d").empty());
    r.set(c.s, c.warn, true);
    auto e = ev.evaluate(r, 1000, "d");
    CHECK_EQ(e.size(), size_t(1));
    if (e.size() == 1) {
      CHECK_EQ(std::string(e[0].rule->name), std::string(c.rule));
      CHECK(e[0].level == Level::Warning && e[0].raised && e[0].sms);
    }
    r.set(c.s, c.crit, true);
    e = ev.evaluate(r, 2000, "d");
    CHECK_EQ(e.size(), size_t(2));  // warning resolved, critical raised
    if (e.size() == 2) {
      CHECK(!e[0].raised && e[0].level == Level::Warning);
      CHECK(e[1].raised && e[1].level == Level::Critical && e[1].sms);
    }
    r.set(c.s, c.ok, true);
    e = ev.evaluate(r, 3000, "d");
    CHECK_EQ(e.size(), size_t(1));
    if (e.size() == 1) CHECK(!e[0].raised && !e[0].sms);
    CHECK(ev.active().empty());
  }
  // Exactly at a threshold is not beyond it.
  AlertEvaluator ev;
  Reading r = normal(1);
  r.set(Voltage, 245, true);
  r.set(PressureLow, 40, true);
  r.set(Current, 12, true);
  CHECK(ev.evaluate(r, 0, "d").empty());
}

TEST(alert_sms_cooldown_is_five_minutes_per_alert) {
  AlertEvaluator ev;
  Reading hi = normal(1), ok = normal(1);
  hi.set(Voltage, 247, true);
  auto e = ev.evaluate(hi, 0, "rm-01");
  CHECK(e.size() == 1 && e[0].sms);
  CHECK(contains(e[0].message, "WARNING Voltage 247V > 245V"));
  ev.evaluate(ok, 10000, "rm-01");
  e = ev.evaluate(hi, 20000, "rm-01");  // raised again within 5 min: published, no SMS
  CHECK(e.size() == 1 && e[0].raised && !e[0].sms);
  Reading hot = normal(1);
  hot.set(CompressorTemp, 90, true);
  e = ev.evaluate(hot, 30000, "rm-01");  // another alert has its own cooldown
  bool compSms = false;
  for (const auto& x : e)
    if (std::string(x.rule->name) == "compressor_temp_high" && x.raised) compSms = x.sms;
  CHECK(compSms);
  ev.evaluate(ok, 40000, "rm-01");
  e = ev.evaluate(hi, 300000, "rm-01");  // 5 min after the first SMS
  CHECK(e.size() == 1 && e[0].sms);
}

TEST(alert_keeps_its_level_while_the_sensor_is_invalid) {
  AlertEvaluator ev;
  Reading r = normal(1);
  r.set(CompressorTemp, 97, true);
  CHECK_EQ(ev.evaluate(r, 0, "d").size(), size_t(1));
  r.set(CompressorTemp, 0, false);
  CHECK(ev.evaluate(r, 1000, "d").empty());
  CHECK_EQ(ev.active().size(), size_t(1));
  CHECK_EQ(ev.active()[0], std::string("compressor_temp_high:critical"));
}

// ── link policy ──────────────────────────────────────────────────────────────────────────────────
TEST(link_policy_backs_off_then_power_cycles) {
  LinkPolicy p;
  uint32_t t = 0;
  std::vector<uint32_t> waits;
  for (int i = 0; i < 5; i++) {
    CHECK(p.next(t, false, false) == LinkAction::ConnectGprs);
    p.report(LinkAction::ConnectGprs, false, t);
    waits.push_back(p.backoffMs());
    CHECK(p.next(t + p.backoffMs() - 1, false, false) == LinkAction::None);
    t += p.backoffMs();
  }
  CHECK((waits == std::vector<uint32_t>{5000, 10000, 20000, 40000, 80000}));
  CHECK(p.next(t, false, false) == LinkAction::PowerCycle);
  p.report(LinkAction::PowerCycle, true, t);
  CHECK_EQ(p.powerCycles(), 1u);
  CHECK(p.next(t + 9999, false, false) == LinkAction::None);  // modem booting
  CHECK(p.next(t + 10000, false, false) == LinkAction::ConnectGprs);
  p.report(LinkAction::ConnectGprs, true, t + 10000);
  CHECK(p.next(t + 10000, true, false) == LinkAction::ConnectMqtt);
  p.report(LinkAction::ConnectMqtt, false, t + 10000);
  CHECK_EQ(p.failures(), 1u);
  CHECK(p.next(t + 15000, true, false) == LinkAction::ConnectMqtt);
  p.report(LinkAction::ConnectMqtt, true, t + 15000);
  CHECK_EQ(p.failures(), 0u);
  CHECK(p.next(t + 15000, true, true) == LinkAction::None);
  for (int i = 0; i < 20; i++) p.report(LinkAction::ConnectMqtt, false, 0);
  CHECK_EQ(p.backoffMs(), LinkPolicy::kMaxBackoffMs);
}

TEST(link_policy_power_cycles_a_flapping_session) {
  LinkPolicy p;
  for (uint32_t i = 0; i < 3; i++) p.sessionLost(1000 + i * 60000);
  CHECK(p.next(200000, true, true) == LinkAction::None);
  p.sessionLost(1000 + 3 * 60000);  // 4th drop within 15 min
  CHECK(p.next(200000, true, true) == LinkAction::PowerCycle);
  LinkPolicy slow;
  for (uint32_t i = 0; i < 8; i++) slow.sessionLost(i * 6 * 60000);  // one every 6 min: not a loop
  CHECK(slow.next(3000000, true, true) == LinkAction::None);
  LinkPolicy wrap;  // across the 49-day millis() wrap
  for (uint32_t i = 0; i < 4; i++) wrap.sessionLost(0xFFFF0000u + i * 30000);
  CHECK(wrap.next(0x00010000u, true, true) == LinkAction::PowerCycle);
}

