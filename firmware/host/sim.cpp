// heatpump-sim: the firmware's real main loop on a host. Sensor values (physical units, from the
// shared house model) arrive as lines on stdin and are turned back into ADC counts, so the
// firmware's own conversions, buffer, alerts and encoder do the work. The modem is simulated (its
// link can be cut from stdin), SMS go to a log file, MQTT goes over a socket to a real broker.
//
// stdin lines:
//   t=<unix s> inletTemp=… outletTemp=… ambientTemp=… compressorTemp=… voltage=… current=…
//     pressureHigh=… pressureLow=… compressor=0|1 fan=0|1 defrost=0|1 csq=0…31
//   link down | link up          cut / restore the cellular link
//   sms <from> <text…>           an SMS arrives
//   fault <sensor> open|short|ok an NTC (inletTemp…compressorTemp) fails
// Options: --device ID --mqtt HOST:PORT --user NAME --flash FILE --sms-log FILE --admin NUMBER
//   --authorised N1,N2 --sample-ms MS --publish-ms MS --capacity N --max-batch N
// The MQTT password comes from HS_DEVICE_PASSWORD (not argv: other users can read that).
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <map>
#include <sstream>
#include <string>

#include "convert.h"
#include "firmware.h"
#include "mqtt_client.h"
#include "sensors.h"

using namespace hp;

namespace {

std::string deviceId = "sim";
volatile sig_atomic_t stopSignal = 0;  // SIGINT/SIGTERM: stop in order, like stdin closing

void logLine(const std::string& s) {
  std::fprintf(stderr, "[%s] %s\n", deviceId.c_str(), s.c_str());
  std::fflush(stderr);
}

uint32_t monoMs() {
  using namespace std::chrono;
  return uint32_t(duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count());
}

struct HostClock : Clock {
  uint32_t start = monoMs();
  uint32_t millis() override { return monoMs() - start; }
};

struct World {
  std::map<std::string, double> v = {{"inletTemp", 30},  {"outletTemp", 35},   {"ambientTemp", 5},
                                     {"compressorTemp", 60}, {"voltage", 230}, {"current", 0},
                                     {"pressureHigh", 250}, {"pressureLow", 90}, {"compressor", 0},
                                     {"fan", 0},           {"defrost", 0},      {"csq", 18}};
  std::map<std::string, std::string> faults;
  uint32_t time = 0;  // network time of the last feed line
  uint32_t timeAtMs = 0;
  bool link = true;
  std::deque<SmsMessage> inbox;
};

struct SimAdc : Adc {
  World& w;
  explicit SimAdc(World& world) : w(world) {}
  uint16_t ntc(const char* name) {
    const auto f = w.faults.find(name);
    if (f != w.faults.end() && f->second == "open") return 4095;
    if (f != w.faults.end() && f->second == "short") return 0;
    return ntcCounts(float(w.v[name]));
  }
  uint16_t read(uint8_t p) override {
    switch (p) {
      case pin::kNtcInlet: return ntc("inletTemp");
      case pin::kNtcOutlet: return ntc("outletTemp");
      case pin::kNtcAmbient: return ntc("ambientTemp");
      case pin::kNtcCompressor: return ntc("compressorTemp");
      case pin::kPressureHigh: return pressureCounts(float(w.v["pressureHigh"]));
      case pin::kPressureLow: return pressureCounts(float(w.v["pressureLow"]));
      default: return 2048;
    }
  }
  void sample(uint8_t p, uint16_t* out, size_t n, uint32_t intervalUs) override {
    // The sensors' AC output around VCC/2, as the ESP32 would sample it (with a little noise).
    const double rms = p == pin::kVoltage ? w.v["voltage"] / kVoltageCal : w.v["current"] * kCurrentVPerA * kDivider;
    const double phase = double(std::rand() % 1000) / 1000.0;
    for (size_t i = 0; i < n; i++) {
      const double v = 1.65 + rms * std::sqrt(2.0) * std::sin(2 * M_PI * (50.0 * i * intervalUs / 1e6 + phase)) +
                       (std::rand() % 5 - 2) * 0.0008;
      const double c = std::round(v / 3.3 * 4095);
      out[i] = uint16_t(c < 0 ? 0 : c > 4095 ? 4095 : c);
    }
  }
};

struct SimDin : DigitalIn {
  World& w;
  explicit SimDin(World& world) : w(world) {}
  bool read(uint8_t p) override {
    if (p == pin::kCompressorOn) return w.v["compressor"] != 0;
    if (p == pin::kFanOn) return w.v["fan"] != 0;
    if (p == pin::kDefrostOn) return w.v["defrost"] != 0;
    return false;
  }
};

struct SimModem : Modem {
  World& w;
  Clock& clock;
  std::string smsLog;
  bool gprs = false;
  SimModem(World& world, Clock& c, std::string log) : w(world), clock(c), smsLog(std::move(log)) {}
  bool powerCycle() override {
    gprs = false;
    logLine("modem: power-cycled");
    return true;
  }
  bool gprsConnect() override {
    gprs = w.link;
    return gprs;
  }
  bool gprsConnected() override { return gprs && w.link; }
  int signalQuality() override { return w.link ? int(w.v["csq"]) : 99; }
  uint32_t networkTime() override { return w.time ? w.time + (clock.millis() - w.timeAtMs) / 1000 : 0; }
  bool sendSms(const std::string& number, const std::string& text) override {
    // SMS go over the cell network, not GPRS: they leave even while data is down.
    FILE* f = std::fopen(smsLog.c_str(), "a");
    if (!f) return false;
    const std::time_t now = std::time(nullptr);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    std::fprintf(f, "%s %s to %s: %s\n", when, deviceId.c_str(), number.c_str(), text.c_str());
    std::fclose(f);
    return true;
  }
  bool pollSms(SmsMessage& out) override {
    if (w.inbox.empty()) return false;
    out = w.inbox.front();
    w.inbox.pop_front();
    return true;
  }
};

struct FileFlash : Flash {
  FILE* f = nullptr;
  size_t n;
  FileFlash(const std::string& path, size_t size) : n(size) {
    f = std::fopen(path.c_str(), "r+b");
    if (!f) {
      f = std::fopen(path.c_str(), "w+b");  // erased flash reads 0xFF
      if (f) {
        for (size_t i = 0; i < size; i++) std::fputc(0xFF, f);
        std::fflush(f);
      }
    }
  }
  ~FileFlash() override {
    if (f) std::fclose(f);
  }
  size_t size() override {
    if (!f) return 0;
    std::fseek(f, 0, SEEK_END);
    const long s = std::ftell(f);
    return s < 0 ? 0 : size_t(s) < n ? size_t(s) : n;
  }
  bool read(size_t off, uint8_t* out, size_t len) override {
    return f && std::fseek(f, long(off), SEEK_SET) == 0 && std::fread(out, 1, len, f) == len;
  }
  bool write(size_t off, const uint8_t* data, size_t len) override {
    return f && std::fseek(f, long(off), SEEK_SET) == 0 && std::fwrite(data, 1, len, f) == len && std::fflush(f) == 0;
  }
};

struct HostSystem : System {
  void watchdogFeed() override {}
  void setLed(bool) override {}
  void restart() override {}
  void log(const std::string& l) override { logLine(l); }
};

void handleLine(World& w, Clock& clock, const std::string& line) {
  std::istringstream in(line);
  std::string word;
  in >> word;
  if (word == "link") {
    std::string state;
    in >> state;
    w.link = state != "down";
    logLine(std::string("sim: cellular link ") + (w.link ? "restored" : "cut"));
  } else if (word == "sms") {
    SmsMessage m;
    in >> m.from;
    std::getline(in, m.text);
    w.inbox.push_back(m);
  } else if (word == "fault") {
    std::string sensor, mode;
    in >> sensor >> mode;
    if (mode == "ok") w.faults.erase(sensor);
    else w.faults[sensor] = mode;
  } else {
    std::istringstream kv(line);
    std::string tok;
    while (kv >> tok) {
      const size_t eq = tok.find('=');
      if (eq == std::string::npos) continue;
      const std::string k = tok.substr(0, eq);
      const double v = std::atof(tok.c_str() + eq + 1);
      if (k == "t") {
        w.time = uint32_t(v);
        w.timeAtMs = clock.millis();
      } else {
        w.v[k] = v;
      }
    }
  }
}

std::string arg(int argc, char** argv, const char* name, const char* def) {
  for (int i = 1; i + 1 < argc; i++)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  return def;
}

}  // namespace

int main(int argc, char** argv) {
  FirmwareConfig cfg;
  cfg.device = deviceId = arg(argc, argv, "--device", "sim");
  cfg.mqttUser = arg(argc, argv, "--user", cfg.device.c_str());
  const char* pw = std::getenv("HS_DEVICE_PASSWORD");
  cfg.mqttPassword = pw ? pw : "";
  cfg.adminNumber = arg(argc, argv, "--admin", "");
  std::stringstream auth(arg(argc, argv, "--authorised", ""));
  for (std::string n; std::getline(auth, n, ',');)
    if (!n.empty()) cfg.authorised.push_back(n);
  cfg.sampleIntervalMs = uint32_t(std::atol(arg(argc, argv, "--sample-ms", "10000").c_str()));
  cfg.publishIntervalMs = uint32_t(std::atol(arg(argc, argv, "--publish-ms", "300000").c_str()));
  cfg.bufferCapacity = size_t(std::atol(arg(argc, argv, "--capacity", "720").c_str()));
  cfg.maxBatch = size_t(std::atol(arg(argc, argv, "--max-batch", "60").c_str()));
  const std::string mqtt = arg(argc, argv, "--mqtt", "127.0.0.1:1883");
  const size_t colon = mqtt.rfind(':');
  if (colon == std::string::npos || cfg.sampleIntervalMs == 0 || cfg.publishIntervalMs == 0 ||
      cfg.bufferCapacity == 0 || cfg.maxBatch == 0 || cfg.maxBatch > 100) {
    logLine("bad options: --mqtt HOST:PORT, --sample-ms/--publish-ms/--capacity > 0, --max-batch 1…100");
    return 2;
  }
  const std::string flashPath = arg(argc, argv, "--flash", (cfg.device + ".flash").c_str());
  const std::string smsLog = arg(argc, argv, "--sms-log", (cfg.device + "-sms.log").c_str());

  World world;
  HostClock clock;
  SimAdc adc(world);
  SimDin din(world);
  SimModem modem(world, clock, smsLog);
  FileFlash flash(flashPath, RingBuffer::imageSize(cfg.bufferCapacity));
  if (!flash.f) {
    logLine("cannot open the flash image " + flashPath + ": " + std::strerror(errno));
    return 2;
  }
  HostSystem sys;
  host::MqttClient client(mqtt.substr(0, colon), std::atoi(mqtt.c_str() + colon + 1),
                          [&] { return modem.gprsConnected(); }, logLine);
  struct sigaction sa{};
  sa.sa_handler = [](int) { stopSignal = 1; };
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::string pending;
  bool eof = false;
  while (!eof) {
    // A RESET ends this "boot"; the next one starts from flash like the ESP32 would.
    Firmware fw(cfg, Hardware{adc, din, clock, modem, client, &flash, sys});
    fw.setup();
    while (!fw.rebootRequested()) {
      if (stopSignal) {
        eof = true;
        break;
      }
      fw.step();
      pollfd p{0, POLLIN, 0};
      if (::poll(&p, 1, 100) > 0) {
        char buf[4096];
        const ssize_t n = ::read(0, buf, sizeof buf);
        if (n <= 0) {
          eof = true;
          break;
        }
        pending.append(buf, size_t(n));
        size_t nl;
        while ((nl = pending.find('\n')) != std::string::npos) {
          handleLine(world, clock, pending.substr(0, nl));
          pending.erase(0, nl + 1);
        }
      }
    }
    if (!eof) {
      logLine("restarting (RESET)");
      client.disconnect();  // the TCP session dies with the reboot: the broker sends the last will
      modem.gprs = false;
    }
  }
  // stdin closed or a signal: the feeder stopped us. Say so before leaving, rather than through the will.
  if (client.connected()) {
    client.publish("heatpump/" + cfg.device + "/status/online", encodeOnline(false, 0, kFirmwareVersion, 0), true);
    client.disconnectCleanly();
  }
  logLine("stopped");
  return 0;
}
