// Deterministic stand-ins for the hardware: time moves only when a test moves it.
#pragma once
#include <cmath>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "convert.h"
#include "hal.h"

namespace hp::test {

struct FakeClock : Clock {
  uint32_t ms = 0;
  uint32_t millis() override { return ms; }
};

struct FakeAdc : Adc {
  std::map<uint8_t, uint16_t> dc;         // pin → counts
  std::map<uint8_t, double> acVoltsRms;   // pin → sine rms at the ADC, around VCC/2
  FakeAdc() {
    dc[34] = dc[35] = dc[32] = dc[33] = 2048;
    dc[25] = pressureCounts(300);
    dc[26] = pressureCounts(80);
    setMains(230, 8);
  }
  void setMains(double volts, double amps) {
    acVoltsRms[36] = volts / kVoltageCal;
    acVoltsRms[39] = amps * kCurrentVPerA * kDivider;
  }
  uint16_t read(uint8_t pin) override { return dc.count(pin) ? dc[pin] : 0; }
  void sample(uint8_t pin, uint16_t* out, size_t n, uint32_t intervalUs) override {
    const double amp = acVoltsRms.count(pin) ? acVoltsRms[pin] * std::sqrt(2.0) : 0;
    for (size_t i = 0; i < n; i++) {
      const double v = 1.65 + amp * std::sin(2 * M_PI * 50.0 * double(i) * intervalUs / 1e6);
      double c = std::round(v / 3.3 * 4095);
      out[i] = uint16_t(c < 0 ? 0 : c > 4095 ? 4095 : c);
    }
  }
};

struct FakeDin : DigitalIn {
  std::map<uint8_t, bool> pins;
  bool read(uint8_t pin) override { return pins[pin]; }
};

struct FakeModem : Modem {
  FakeClock& clock;
  explicit FakeModem(FakeClock& c) : clock(c) {}
  bool link = true, gprs = false;
  uint32_t timeAtZero = 1764642600;  // network time when the fake clock was 0; 0 = none
  int csq = 20;
  int powerCycles = 0, gprsAttempts = 0;
  std::vector<std::pair<std::string, std::string>> sent;
  std::deque<SmsMessage> inbox;
  bool powerCycle() override {
    powerCycles++;
    gprs = false;
    return true;
  }
  bool gprsConnect() override {
    gprsAttempts++;
    gprs = link;
    return gprs;
  }
  bool gprsConnected() override { return gprs && link; }
  int signalQuality() override { return link ? csq : 99; }
  uint32_t networkTime() override { return timeAtZero ? timeAtZero + clock.ms / 1000 : 0; }
  bool sendSms(const std::string& n, const std::string& t) override {
    sent.emplace_back(n, t);
    return true;
  }
  bool pollSms(SmsMessage& out) override {
    if (inbox.empty()) return false;
    out = inbox.front();
    inbox.pop_front();
    return true;
  }
};

struct Published {
  std::string topic, payload;
  bool retain;
};

struct FakeMqtt : MqttTransport {
  FakeModem& modem;
  explicit FakeMqtt(FakeModem& m) : modem(m) {}
  bool up = false, acceptConnect = true;
  std::string willTopic, willPayload, user;
  std::vector<std::string> subscriptions;
  std::vector<Published> published;
  std::deque<std::pair<std::string, std::string>> inbound;
  bool connect(const std::string&, const std::string& u, const std::string&, const std::string& wt,
               const std::string& wp) override {
    up = acceptConnect && modem.gprsConnected();
    user = u;
    willTopic = wt;
    willPayload = wp;
    return up;
  }
  bool connected() override {
    if (!modem.gprsConnected()) up = false;
    return up;
  }
  void disconnect() override { up = false; }
  bool publish(const std::string& t, const std::string& p, bool r) override {
    if (!connected()) return false;
    published.push_back({t, p, r});
    return true;
  }
  bool subscribe(const std::string& t) override {
    subscriptions.push_back(t);
    return connected();
  }
  void loop(MqttHandler& h) override {
    while (!inbound.empty()) {
      auto m = inbound.front();
      inbound.pop_front();
      h.onMessage(m.first, m.second);
    }
  }
  std::vector<Published> on(const std::string& t) const {
    std::vector<Published> out;
    for (const auto& p : published)
      if (p.topic == t) out.push_back(p);
    return out;
  }
};

struct MemFlash : Flash {
  std::vector<uint8_t> bytes;
  explicit MemFlash(size_t n) : bytes(n, 0xFF) {}
  size_t size() override { return bytes.size(); }
  bool read(size_t off, uint8_t* out, size_t n) override {
    if (off + n > bytes.size()) return false;
    std::copy(bytes.begin() + long(off), bytes.begin() + long(off + n), out);
    return true;
  }
  bool write(size_t off, const uint8_t* d, size_t n) override {
    if (off + n > bytes.size()) return false;
    std::copy(d, d + n, bytes.begin() + long(off));
    return true;
  }
};

struct FakeSystem : System {
  int feeds = 0, restarts = 0;
  bool led = false;
  std::vector<std::string> logs;
  void watchdogFeed() override { feeds++; }
  void setLed(bool on) override { led = on; }
  void restart() override { restarts++; }
  void log(const std::string& l) override { logs.push_back(l); }
};

}  // namespace hp::test
