// ESP32 + SIM800C: the hardware side of the interfaces in lib/heatpump/src/hal.h. Everything
// else (sampling, buffer, alerts, commands, link policy) is the same code the host tests run.
#include <Arduino.h>
#include <LittleFS.h>
#include <esp_task_wdt.h>

#include <deque>

#include "device_config.h"
#include <TinyGsmClient.h>
#include <PubSubClient.h>

#include "firmware.h"
#include "sensors.h"

using namespace hp;

static HardwareSerial gsmSerial(2);
static TinyGsm modem(gsmSerial);
static TinyGsmClient gsmClient(modem);
static PubSubClient pubsub(gsmClient);

constexpr uint8_t kModemPowerPin = 4;  // SIM800C PWRKEY through a transistor
constexpr uint32_t kWatchdogS = 180;   // longer than the slowest AT sequence (CGATT ≤ 60 s, SAPBR ≤ 85 s)

struct EspAdc : Adc {
  uint16_t read(uint8_t pin) override { return analogRead(pin); }
  void sample(uint8_t pin, uint16_t* out, size_t n, uint32_t intervalUs) override {
    uint32_t next = micros();
    for (size_t i = 0; i < n; i++) {
      while (int32_t(micros() - next) < 0) {
      }
      out[i] = analogRead(pin);
      next += intervalUs;
    }
  }
};

struct EspDin : DigitalIn {
  bool read(uint8_t pin) override { return digitalRead(pin) == LOW; }  // optocoupler pulls low
};

struct EspClock : Clock {
  uint32_t millis() override { return ::millis(); }
};

struct Sim800 : Modem {
  bool powerCycle() override {
    digitalWrite(kModemPowerPin, HIGH);
    delay(1200);
    digitalWrite(kModemPowerPin, LOW);
    delay(3000);
    if (!modem.restart()) return false;
    modem.sendAT("+CLTS=1");  // network time into the RTC
    modem.waitResponse();
    modem.sendAT("+CMGF=1");
    modem.waitResponse();
    modem.sendAT("+CNMI=2,1,0,0,0");  // new SMS stored, announced by +CMTI
    modem.waitResponse();
    return true;
  }
  bool gprsConnect() override {
    if (!modem.isNetworkConnected() && !modem.waitForNetwork(60000L)) return false;
    return modem.gprsConnect(HP_APN, HP_APN_USER, HP_APN_PASS);
  }
  bool gprsConnected() override { return modem.isGprsConnected(); }
  int signalQuality() override { return modem.getSignalQuality(); }
  uint32_t networkTime() override {
    int y, mo, d, h, mi, s;
    float tz;
    if (!modem.getNetworkTime(&y, &mo, &d, &h, &mi, &s, &tz) || y < 2024) return 0;
    struct tm t = {};
    t.tm_year = y - 1900;
    t.tm_mon = mo - 1;
    t.tm_mday = d;
    t.tm_hour = h;
    t.tm_min = mi;
    t.tm_sec = s;
    setenv("TZ", "UTC0", 1);
    tzset();
    return uint32_t(mktime(&t) - time_t(tz * 3600));  // CCLK gives local time and its offset
  }
  bool sendSms(const std::string& number, const std::string& text) override {
    return modem.sendSMS(number.c_str(), text.c_str());
  }
  bool pollSms(SmsMessage& out) override {
    // TinyGSM has no SMS receive API: list unread messages with raw AT and delete what was read.
    modem.sendAT("+CMGL=\"REC UNREAD\"");
    String header;
    if (modem.waitResponse(5000L, header, "+CMGL: ") != 1) return false;
    const String line = gsmSerial.readStringUntil('\n');  // <idx>,"REC UNREAD","<oa>",...
    const String text = gsmSerial.readStringUntil('\n');
    modem.waitResponse();
    const int idx = line.toInt();
    const int q1 = line.indexOf("\",\"") + 3;
    const int q2 = line.indexOf('"', q1);
    out.from = line.substring(q1, q2).c_str();
    out.text = text.c_str();
    modem.sendAT("+CMGD=", idx);
    modem.waitResponse();
    return true;
  }
};

// PubSubClient's callback runs inside its loop(), where publishing would reuse its buffer: queue,
// and hand the messages to the firmware after loop() returns.
static std::deque<std::pair<std::string, std::string>> inbox;

struct PubSubTransport : MqttTransport {
  bool connect(const std::string& id, const std::string& user, const std::string& pw, const std::string& willTopic,
               const std::string& will) override {
    pubsub.setServer(HP_MQTT_HOST, HP_MQTT_PORT);
    pubsub.setBufferSize(MQTT_MAX_PACKET_SIZE);
    pubsub.setKeepAlive(60);  // PubSubClient's 15 s is too tight for a SIM800 on a weak cell
    pubsub.setSocketTimeout(30);
    return pubsub.connect(id.c_str(), user.c_str(), pw.c_str(), willTopic.c_str(), 0, true, will.c_str());
  }
  bool connected() override { return pubsub.connected(); }
  void disconnect() override { pubsub.disconnect(); }
  // PubSubClient publishes at QoS 0 only: true means the packet left through the modem.
  bool publish(const std::string& t, const std::string& p, bool retain) override {
    return pubsub.publish(t.c_str(), reinterpret_cast<const uint8_t*>(p.data()), p.size(), retain);
  }
  bool subscribe(const std::string& t) override { return pubsub.subscribe(t.c_str(), 1); }
  void loop(MqttHandler& h) override {
    pubsub.loop();
    while (!inbox.empty()) {
      const auto m = inbox.front();
      inbox.pop_front();
      h.onMessage(m.first, m.second);
    }
  }
};

struct FileFlash : Flash {
  static constexpr const char* kPath = "/buffer.bin";
  size_t n;
  explicit FileFlash(size_t size) : n(size) {
    if (!LittleFS.exists(kPath)) {
      File f = LittleFS.open(kPath, "w");
      for (size_t i = 0; i < size; i++) f.write(0xFF);
      f.close();
    }
  }
  size_t size() override {
    File f = LittleFS.open(kPath, "r");
    const size_t s = f ? f.size() : 0;
    f.close();
    return s;
  }
  bool read(size_t off, uint8_t* out, size_t len) override {
    File f = LittleFS.open(kPath, "r");
    const bool ok = f && f.seek(off) && f.read(out, len) == len;
    f.close();
    return ok;
  }
  bool write(size_t off, const uint8_t* d, size_t len) override {
    File f = LittleFS.open(kPath, "r+");
    const bool ok = f && f.seek(off) && f.write(d, len) == len;
    f.close();
    return ok;
  }
};

struct EspSystem : System {
  void watchdogFeed() override { esp_task_wdt_reset(); }
  void setLed(bool on) override { digitalWrite(pin::kLed, on ? HIGH : LOW); }
  void restart() override { ESP.restart(); }
  void log(const std::string& l) override { Serial.println(l.c_str()); }
};

static EspAdc adc;
static EspDin din;
static EspClock clk;
static Sim800 sim800;
static PubSubTransport transport;
static EspSystem sys;
static FileFlash* flash;
static Firmware* fw;

void setup() {
  Serial.begin(115200);
  esp_task_wdt_init(kWatchdogS, true);
  esp_task_wdt_add(nullptr);
  pinMode(pin::kLed, OUTPUT);
  pinMode(kModemPowerPin, OUTPUT);
  for (uint8_t p : {pin::kCompressorOn, pin::kFanOn, pin::kDefrostOn}) pinMode(p, INPUT_PULLUP);
  analogReadResolution(12);
  analogSetAttenuation(ADC_11db);  // 0…3.3 V
  gsmSerial.begin(115200, SERIAL_8N1, pin::kGsmRx, pin::kGsmTx);
  if (!LittleFS.begin(true)) sys.log("LittleFS failed: the buffer stays in RAM only until the next boot");
  pubsub.setCallback([](char* topic, uint8_t* payload, unsigned int len) {
    if (inbox.size() < 8) inbox.emplace_back(topic, std::string(reinterpret_cast<const char*>(payload), len));
  });
  FirmwareConfig cfg;
  cfg.device = HP_DEVICE_ID;
  cfg.mqttUser = HP_MQTT_USER;
  cfg.mqttPassword = HP_MQTT_PASSWORD;
  cfg.adminNumber = HP_ADMIN_NUMBER;
  String auth = HP_AUTHORISED_NUMBERS;
  while (auth.length()) {
    const int comma = auth.indexOf(',');
    const String n = comma < 0 ? auth : auth.substring(0, comma);
    if (n.length()) cfg.authorised.push_back(n.c_str());
    auth = comma < 0 ? "" : auth.substring(comma + 1);
  }
  flash = new FileFlash(RingBuffer::imageSize(cfg.bufferCapacity));
  sim800.powerCycle();
  fw = new Firmware(cfg, Hardware{adc, din, clk, sim800, transport, flash, sys});
  fw->setup();
}

void loop() {
  fw->step();
  if (fw->rebootRequested()) {
    pubsub.loop();  // let the RESET result leave
    delay(500);
    ESP.restart();
  }
  delay(50);
}
