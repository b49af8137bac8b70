#include "firmware.h"

#include "convert.h"
#include "json.h"
#include "sensors.h"

namespace hp {

Firmware::Firmware(const FirmwareConfig& cfg, const Hardware& hw)
    : cfg_(cfg), hw_(hw), buffer_(cfg.bufferCapacity, hw.flash) {
  if (!cfg_.adminNumber.empty()) cfg_.authorised.push_back(cfg_.adminNumber);
}

void Firmware::setup() {
  const size_t restored = buffer_.restore();
  hw_.sys.log("boot: firmware " + std::string(kFirmwareVersion) + ", " + std::to_string(restored) +
              " buffered readings restored" +
              (buffer_.lastRestoreError() ? std::string(" (") + buffer_.lastRestoreError() + ")" : ""));
}

uint32_t Firmware::now() const {
  if (!haveTime_) return 0;
  return timeBase_ + (hw_.clock.millis() - timeBaseMs_) / 1000;
}

void Firmware::step() {
  hw_.sys.watchdogFeed();
  const uint32_t ms = hw_.clock.millis();
  // Network time once, then hourly: between syncs the monotonic clock carries it.
  if (!haveTime_ || ms - lastTimeSyncMs_ >= 3600000u) {
    const uint32_t t = hw_.modem.networkTime();
    if (t) {
      timeBase_ = t;
      timeBaseMs_ = ms;
      haveTime_ = true;
    }
    lastTimeSyncMs_ = ms;
  }
  if (!sampled_ || ms - lastSampleMs_ >= cfg_.sampleIntervalMs) {
    sampled_ = true;
    lastSampleMs_ = ms;
    sample();
  }
  maintainLink();
  if (hw_.mqtt.connected()) {
    hw_.mqtt.loop(*this);
    flushAlerts();
    if (publishNow_ || ms - lastPublishMs_ >= cfg_.publishIntervalMs) publishBacklog();
  }
  handleSms();
  // LED: steady when connected, blinking (1 Hz) while not.
  hw_.sys.setLed(wasConnected_ || (ms / 500) % 2 == 0);
}

void Firmware::sample() {
  Reading r = readSensors(hw_.adc, hw_.din);
  r.time = now();
  last_ = r;
  haveLast_ = true;
  if (!r.time) {
    // Without network time a reading cannot be placed; storing it under a made-up time would be worse.
    untimed_++;
    if (untimed_ == 1 || untimed_ % 60 == 0)
      hw_.sys.log("no network time yet: " + std::to_string(untimed_) + " readings not buffered");
    return;
  }
  buffer_.push(r);
  // Until a batch has gone out since boot, the first timed reading goes at once: a new or rebooted
  // device shows up within a sample interval instead of after a whole publish interval.
  if (!delivered_) publishNow_ = true;
  for (const AlertEvent& e : alerts_.evaluate(r, hw_.clock.millis(), cfg_.device)) {
    if (e.sms && !cfg_.adminNumber.empty() && !hw_.modem.sendSms(cfg_.adminNumber, e.message))
      hw_.sys.log("alert SMS to the admin failed: " + e.message);
    std::string j = "{\"device\":" + jsonString(cfg_.device) + ",\"time\":" + jsonString(isoTime(e.time)) +
                    ",\"rule\":" + jsonString(e.rule->name) + ",\"severity\":" + jsonString(levelName(e.level)) +
                    ",\"state\":" + (e.raised ? "\"raised\"" : "\"resolved\"") +
                    ",\"value\":" + jsonNumber(e.value, 2) + ",\"threshold\":" + jsonNumber(e.threshold, 2) +
                    ",\"message\":" + jsonString(e.message) + ",\"sms\":" + (e.sms ? "true" : "false") + "}";
    if (pendingAlerts_.size() >= 32) pendingAlerts_.pop_front();
    pendingAlerts_.push_back(j);
    hw_.sys.log("alert: " + e.message + (e.sms ? " (SMS)" : ""));
  }
}

void Firmware::maintainLink() {
  const uint32_t ms = hw_.clock.millis();
  const bool up = hw_.mqtt.connected();
  if (wasConnected_ && !up) {
    link_.sessionLost(ms);
    hw_.sys.log("MQTT session lost");
  }
  wasConnected_ = up;
  const LinkAction a = link_.next(ms, hw_.modem.gprsConnected(), up);
  switch (a) {
    case LinkAction::None: return;
    case LinkAction::PowerCycle: {
      hw_.sys.log("power-cycling the modem (" + std::to_string(link_.powerCycles() + 1) + " so far)");
      hw_.mqtt.disconnect();
      const bool ok = hw_.modem.powerCycle();
      link_.report(a, ok, hw_.clock.millis());
      return;
    }
    case LinkAction::ConnectGprs: {
      const bool ok = hw_.modem.gprsConnect();
      link_.report(a, ok, hw_.clock.millis());
      if (!ok) {
        hw_.sys.log("GPRS connect failed (" + std::to_string(link_.failures()) + " in a row)");
        return;
      }
    }
      [[fallthrough]];  // GPRS is up: try MQTT in the same step
    case LinkAction::ConnectMqtt: {
      const bool ok = hw_.mqtt.connect(cfg_.device, cfg_.mqttUser, cfg_.mqttPassword, topic("status/online"),
                                       encodeOnline(false, 0, kFirmwareVersion, 0)) &&
                      hw_.mqtt.subscribe(topic("cmd")) &&
                      hw_.mqtt.publish(topic("status/online"),
                                       encodeOnline(true, now(), kFirmwareVersion, cfg_.publishIntervalMs / 1000), true);
      link_.report(LinkAction::ConnectMqtt, ok, hw_.clock.millis());
      if (!ok) {
        hw_.sys.log("MQTT connect failed (" + std::to_string(link_.failures()) + " in a row)");
        hw_.mqtt.disconnect();
        return;
      }
      csq_ = hw_.modem.signalQuality();
      wasConnected_ = true;
      publishNow_ = buffer_.size() > 0;  // the backlog goes as soon as the link is back
      hw_.sys.log("MQTT connected, " + std::to_string(buffer_.size()) + " readings buffered");
      return;
    }
  }
}

void Firmware::publishBacklog() {
  publishNow_ = false;
  lastPublishMs_ = hw_.clock.millis();
  csq_ = hw_.modem.signalQuality();
  // Oldest first; a reading leaves the buffer only once its batch is delivered.
  while (buffer_.size() > 0) {
    hw_.sys.watchdogFeed();
    const std::vector<Reading> batch = buffer_.peek(cfg_.maxBatch);
    const std::string payload = encodeBatch(cfg_.device, kFirmwareVersion, seq_, batch,
                                            buffer_.size() - batch.size(), SignalInfo{csq_});
    if (!hw_.mqtt.publish(topic("data"), payload, false)) {
      hw_.sys.log("batch publish failed; " + std::to_string(buffer_.size()) + " readings stay buffered");
      return;
    }
    seq_++;
    buffer_.drop(batch.size());
    delivered_ = true;
    hw_.sys.log("published " + std::to_string(batch.size()) + " readings from " + isoTime(batch.front().time) +
                ", " + std::to_string(buffer_.size()) + " left");
  }
}

void Firmware::flushAlerts() {
  while (!pendingAlerts_.empty()) {
    if (!hw_.mqtt.publish(topic("alerts"), pendingAlerts_.front(), false)) return;
    pendingAlerts_.pop_front();
  }
}

std::string Firmware::statusText() {
  std::string s = cfg_.device;
  static const char* const tags[SensorCount] = {"In", "Out", "Amb", "Cmp", "", "", "", "HP", "LP"};
  static const char* const units[SensorCount] = {"C", "C", "C", "C", "V", "A", "W", "", "psi"};
  if (haveLast_) {
    for (int i = 0; i < SensorCount; i++) {
      s += std::string(" ") + tags[i];
      s += last_.valid(Sensor(i)) ? jsonNumber(last_.values[i], i == Current ? 1 : 0) : std::string("--");
      s += units[i];
    }
  } else {
    s += " no reading yet";
  }
  const std::vector<std::string> act = alerts_.active();
  s += " Alerts:";
  if (act.empty()) s += "none";
  for (size_t i = 0; i < act.size(); i++) s += (i ? "," : "") + act[i];
  const Value dbm = csqToDbm(csq_);
  const Value pct = csqToPercent(csq_);
  s += " Buf" + std::to_string(buffer_.size()) + "/" + std::to_string(buffer_.capacity());
  s += " Sig" + (dbm.valid ? jsonNumber(dbm.value, 0) + "dBm(" + jsonNumber(pct.value, 0) + "%)" : std::string("?"));
  const uint32_t up = hw_.clock.millis() / 1000;
  s += " Up" + std::to_string(up / 3600) + "h" + std::to_string(up / 60 % 60) + "m";
  return s.size() > 160 ? s.substr(0, 160) : s;  // one SMS
}

std::string Firmware::statusJson() {
  std::string s = "{\"reading\":" + (haveLast_ && last_.time ? encodeReading(last_) : std::string("null")) +
                  ",\"alerts\":[";
  const std::vector<std::string> act = alerts_.active();
  for (size_t i = 0; i < act.size(); i++) s += (i ? "," : "") + jsonString(act[i]);
  return s + "],\"buffered\":" + std::to_string(buffer_.size()) + ",\"capacity\":" +
         std::to_string(buffer_.capacity()) + ",\"signal\":" + encodeSignal(SignalInfo{csq_}) +
         ",\"uptimeS\":" + std::to_string(hw_.clock.millis() / 1000) +
         ",\"intervalS\":" + std::to_string(cfg_.publishIntervalMs / 1000) + "}";
}

std::string Firmware::run(const Command& c, bool& ok) {
  ok = true;
  switch (c.kind) {
    case CommandKind::Status: csq_ = hw_.modem.signalQuality(); return statusText();
    case CommandKind::Reset: reboot_ = true; return cfg_.device + " restarting";
    case CommandKind::SetInterval:
      cfg_.publishIntervalMs = uint32_t(c.seconds) * 1000u;
      return cfg_.device + " publishing every " + std::to_string(c.seconds) + " s";
    case CommandKind::Unknown: break;
  }
  ok = false;
  return c.error;
}

void Firmware::onMessage(const std::string& t, const std::string& payload) {
  if (t != topic("cmd")) return;
  const Command c = parseMqttCommand(payload);
  bool ok;
  const std::string msg = run(c, ok);
  std::string r = "{\"id\":" + jsonString(c.id) + ",\"command\":" + jsonString(c.name) +
                  ",\"ok\":" + (ok ? "true" : "false") + ",\"time\":" +
                  jsonString(isoTime(now() ? now() : 1)) + ",\"message\":" + jsonString(msg);
  if (ok && c.kind == CommandKind::Status) r += ",\"status\":" + statusJson();
  r += "}";
  hw_.sys.log("command " + (c.name.empty() ? std::string("?") : c.name) + " over MQTT: " + msg);
  if (!hw_.mqtt.publish(topic("cmd/result"), r, false)) hw_.sys.log("command result publish failed");
}

void Firmware::handleSms() {
  SmsMessage m;
  // A few per step: a burst of SMS must not starve sampling.
  for (int i = 0; i < 3 && hw_.modem.pollSms(m); i++) {
    Command c;
    if (parseSms(m.from, m.text, cfg_.authorised, c) == SmsVerdict::Unauthorised) {
      hw_.sys.log("SMS from unauthorised " + m.from + " ignored");
      continue;
    }
    bool ok;
    const std::string reply = run(c, ok);
    hw_.sys.log("command " + c.name + " by SMS from " + m.from + ": " + reply);
    if (!hw_.modem.sendSms(m.from, reply)) hw_.sys.log("SMS reply to " + m.from + " failed");
  }
}

}  // namespace hp
