// Host tests of the firmware's talking side: the wire encoder, the JSON reader and MQTT/SMS
// commands, alert thresholds and cooldowns, and the link policy. Sensors and the ring buffer are
// in sensor_tests.cpp; the main loop's cases and main() in loop_tests.cpp.
#include <cmath>
#include <string>
#include <vector>

#include "alerts.h"
#include "check.h"
#include "commands.h"
#include "encoder.h"
#include "fakes.h"
#include "firmware.h"
#include "json.h"
#include "link_policy.h"

using namespace hp;
using namespace hp::test;

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

