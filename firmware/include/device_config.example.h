// Copy to device_config.h (git-ignored) and fill in; the MQTT password is printed once by
// acq-cellular's add-device command. Nothing here has a default that would work in the field.
#pragma once
#define HP_DEVICE_ID "rm-01"
#define HP_APN "internet"
#define HP_APN_USER ""
#define HP_APN_PASS ""
#define HP_MQTT_HOST "mqtt.example.org"
#define HP_MQTT_PORT 1883
#define HP_MQTT_USER HP_DEVICE_ID
#define HP_MQTT_PASSWORD ""
#define HP_ADMIN_NUMBER "+491510000000"
// Further numbers that may send STATUS/RESET, comma-separated.
#define HP_AUTHORISED_NUMBERS ""
