// The main loop with fake hardware, the samples mode for the contract test, and main(): one line
// per case, ending "N passed, N failed" (firmware/firmware.test.ts runs it).
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

// ── the main loop with fake hardware ─────────────────────────────────────────────────────────────
struct Rig {
  FakeClock clock;
  FakeAdc adc;
  FakeDin din;
  FakeModem modem{clock};
  FakeMqtt mqtt{modem};
  MemFlash flash{RingBuffer::imageSize(100)};
  FakeSystem sys;
  FirmwareConfig cfg;
  Rig() {
    cfg.device = "rm-01";
    cfg.mqttUser = "rm-01";
    cfg.adminNumber = "+491510000001";
    cfg.authorised = {"+491510000002"};
    cfg.bufferCapacity = 100;
    cfg.maxBatch = 20;
  }
  Hardware hw() { return Hardware{adc, din, clock, modem, mqtt, &flash, sys}; }
  // Advances time in 1 s steps, running the loop each time.
  void run(Firmware& fw, uint32_t seconds) {
    for (uint32_t i = 0; i < seconds; i++) {
      fw.step();
      clock.ms += 1000;
    }
  }
};

static std::vector<std::string> times(const std::vector<Published>& batches) {
  std::vector<std::string> out;
  for (const auto& b : batches) {
    size_t pos = 0;
    while ((pos = b.payload.find("\"time\":\"", pos)) != std::string::npos) {
      out.push_back(b.payload.substr(pos + 8, 20));
      pos += 8;
    }
  }
  return out;
}

TEST(loop_samples_every_10s_and_publishes_every_5_min) {
  Rig rig;
  Firmware fw(rig.cfg, rig.hw());
  fw.setup();
  rig.run(fw, 301);
  CHECK(rig.mqtt.up);
  CHECK_EQ(rig.mqtt.willTopic, std::string("heatpump/rm-01/status/online"));
  CHECK_EQ(rig.mqtt.willPayload, std::string("{\"online\":false}"));
  CHECK(rig.mqtt.subscriptions.size() == 1 && rig.mqtt.subscriptions[0] == "heatpump/rm-01/cmd");
  const auto online = rig.mqtt.on("heatpump/rm-01/status/online");
  CHECK(online.size() == 1 && online[0].retain && contains(online[0].payload, "\"online\":true"));
  const auto batches = rig.mqtt.on("heatpump/rm-01/data");
  const auto ts = times(batches);
  // t=0 (at connect), then 30 more by t=300; the second batch at the 5-minute mark.
  CHECK_EQ(batches.size(), size_t(3));  // 1 + 20 + 10 (maxBatch 20)
  CHECK_EQ(ts.size(), size_t(31));
  CHECK_EQ(ts.front(), std::string("2025-12-02T02:30:00Z"));
  CHECK_EQ(ts[1], std::string("2025-12-02T02:30:10Z"));
  CHECK_EQ(ts.back(), std::string("2025-12-02T02:35:00Z"));
  CHECK_EQ(fw.buffer().size(), size_t(0));
  CHECK(rig.sys.feeds >= 301);
}

TEST(loop_keeps_readings_through_an_outage_and_sends_the_backlog_oldest_first) {
  Rig rig;
  Firmware fw(rig.cfg, rig.hw());
  fw.setup();
  rig.run(fw, 5);
  rig.modem.link = false;  // the cell drops for 4 minutes
  rig.run(fw, 240);
  CHECK_EQ(fw.buffer().size(), size_t(24));
  CHECK(rig.mqtt.on("heatpump/rm-01/data").size() == 1);
  CHECK(rig.modem.powerCycles >= 1);  // GPRS kept failing
  const size_t before = rig.mqtt.published.size();
  rig.modem.link = true;
  rig.run(fw, 200);  // reconnect after the back-off, backlog at once
  CHECK(fw.buffer().size() < 24);  // what is left was measured after the reconnect
  std::vector<Published> late(rig.mqtt.published.begin() + long(before), rig.mqtt.published.end());
  std::vector<Published> lateData;
  for (const auto& p : late)
    if (p.topic == "heatpump/rm-01/data") lateData.push_back(p);
  const auto ts = times(lateData);
  CHECK(ts.size() >= 24);
  CHECK_EQ(ts.front(), std::string("2025-12-02T02:30:10Z"));  // the first reading of the outage
  for (size_t i = 1; i < ts.size(); i++) CHECK(ts[i - 1] < ts[i]);
  CHECK(contains(lateData.front().payload, "\"buffered\":"));
}

TEST(loop_without_network_time_buffers_nothing) {
  Rig rig;
  rig.modem.timeAtZero = 0;
  Firmware fw(rig.cfg, rig.hw());
  fw.setup();
  rig.run(fw, 60);
  CHECK_EQ(fw.buffer().size(), size_t(0));
  CHECK(rig.mqtt.on("heatpump/rm-01/data").empty());
  rig.modem.timeAtZero = 1764642600;
  rig.run(fw, 20);
  // The first timed reading after boot goes at once, not a publish interval later.
  CHECK_EQ(rig.mqtt.on("heatpump/rm-01/data").size(), size_t(1));
  rig.run(fw, 60);  // then the 5-minute rhythm: nothing more for now
  CHECK_EQ(rig.mqtt.on("heatpump/rm-01/data").size(), size_t(1));
}

TEST(loop_sends_alert_sms_to_the_admin_and_publishes_them) {
  Rig rig;
  Firmware fw(rig.cfg, rig.hw());
  fw.setup();
  rig.run(fw, 5);
  rig.adc.setMains(252, 8);
  rig.run(fw, 60);
  CHECK_EQ(rig.modem.sent.size(), size_t(1));
  if (!rig.modem.sent.empty()) {
    CHECK_EQ(rig.modem.sent[0].first, std::string("+491510000001"));
    CHECK(contains(rig.modem.sent[0].second, "CRITICAL Voltage"));
  }
  const auto alerts = rig.mqtt.on("heatpump/rm-01/alerts");
  CHECK_EQ(alerts.size(), size_t(1));
  if (!alerts.empty()) {
    CHECK(contains(alerts[0].payload, "\"rule\":\"voltage_high\""));
    CHECK(contains(alerts[0].payload, "\"severity\":\"critical\""));
    CHECK(contains(alerts[0].payload, "\"state\":\"raised\""));
    CHECK(contains(alerts[0].payload, "\"sms\":true"));
  }
}

TEST(loop_answers_status_by_sms_and_mqtt_and_resets_keeping_the_buffer) {
  Rig rig;
  Firmware fw(rig.cfg, rig.hw());
  fw.setup();
  rig.run(fw, 30);
  rig.modem.inbox.push_back({"+49 151 0000002", "STATUS"});
  rig.modem.inbox.push_back({"+491519999999", "RESET"});  // a stranger: ignored
  rig.run(fw, 1);
  CHECK_EQ(rig.modem.sent.size(), size_t(1));
  if (!rig.modem.sent.empty()) {
    CHECK_EQ(rig.modem.sent[0].first, std::string("+49 151 0000002"));
    const std::string& t = rig.modem.sent[0].second;
    CHECK(contains(t, "rm-01 In25C Out25C Amb25C Cmp25C 230V 8A 1840W HP300 LP80psi"));
    CHECK(contains(t, "Alerts:none"));
    CHECK(contains(t, "Buf3/100"));
    CHECK(contains(t, "Sig-74dBm(65%)"));
    CHECK(contains(t, "Up0h0m"));
    CHECK(t.size() <= 160);
  }
  CHECK(!fw.rebootRequested());
  rig.mqtt.inbound.push_back({"heatpump/rm-01/cmd", "{\"id\":\"c-1\",\"command\":\"STATUS\"}"});
  rig.run(fw, 1);
  const auto res = rig.mqtt.on("heatpump/rm-01/cmd/result");
  CHECK_EQ(res.size(), size_t(1));
  if (!res.empty()) {
    CHECK(contains(res[0].payload, "{\"id\":\"c-1\",\"command\":\"STATUS\",\"ok\":true,"));
    CHECK(contains(res[0].payload, "\"status\":{\"reading\":{\"time\":"));
    CHECK(contains(res[0].payload, "\"capacity\":100"));
  }
  rig.mqtt.inbound.push_back({"heatpump/rm-01/cmd", "not json"});
  rig.run(fw, 1);
  CHECK(contains(rig.mqtt.on("heatpump/rm-01/cmd/result").back().payload, "\"ok\":false"));
  rig.modem.link = false;  // readings pile up, then RESET by SMS from the admin
  rig.run(fw, 50);
  const size_t buffered = fw.buffer().size();
  CHECK(buffered >= 5);
  rig.modem.inbox.push_back({"+491510000001", "reset"});
  rig.run(fw, 1);
  CHECK(fw.rebootRequested());
  Firmware rebooted(rig.cfg, rig.hw());
  rebooted.setup();
  CHECK_EQ(rebooted.buffer().size(), fw.buffer().size());
}

// Every message a scenario publishes, as "topic<TAB>payload" lines: the contract test holds them to
// contracts/schemas/cellular-*.v1.json.
static int samples() {
  Rig rig;
  Firmware fw(rig.cfg, rig.hw());
  fw.setup();
  rig.adc.dc[pin::kNtcAmbient] = 4095;  // an open thermistor: null + valid false
  rig.run(fw, 15);
  rig.adc.setMains(252, 8);
  rig.run(fw, 20);
  rig.adc.setMains(230, 8);
  rig.run(fw, 20);
  rig.mqtt.inbound.push_back({"heatpump/rm-01/cmd", "{\"id\":\"c-1\",\"command\":\"STATUS\"}"});
  rig.mqtt.inbound.push_back({"heatpump/rm-01/cmd", "{\"id\":\"c-2\",\"command\":\"SET_INTERVAL\",\"args\":{\"seconds\":60}}"});
  rig.mqtt.inbound.push_back({"heatpump/rm-01/cmd", "{\"id\":\"c-3\",\"command\":\"FORMAT\"}"});
  rig.mqtt.inbound.push_back({"heatpump/rm-01/cmd", "{oops"});
  rig.run(fw, 300);
  for (const auto& p : rig.mqtt.published) std::printf("%s\t%s\n", p.topic.c_str(), p.payload.c_str());
  std::printf("%s\t%s\n", rig.mqtt.willTopic.c_str(), rig.mqtt.willPayload.c_str());
  return 0;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--samples") return samples();
  int passed = 0, failed = 0;
  for (const auto& c : cases()) {
    failures.clear();
    c.fn();
    if (failures.empty()) {
      passed++;
      std::printf("ok %s\n", c.name);
    } else {
      failed++;
      std::printf("FAIL %s\n", c.name);
      for (const auto& f : failures) std::printf("  %s\n", f.c_str());
    }
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
