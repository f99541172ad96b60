/*
 * snbridge_sensor: an Arduino (Uno, Nano, any board with a USB serial port) publishing a temperature reading to
 * MQTT through snbridge, and switching its LED from an MQTT topic.
 *
 * Setup: copy c/include/snbridge_device.h, c/snd_internal.h and c/snd_*.c from Firmware-Protocol/ into this
 * sketch folder (the Arduino IDE compiles every .c file next to the .ino), then upload. On the gateway machine:
 *
 *     snbridge run --serial /dev/ttyACM0    (or the device appears through USB discovery)
 *     mosquitto_sub -t 'sensors/#' -v
 *     mosquitto_pub -t actuators/uno/led -m 1
 *
 * Serial.print() debugging keeps working: the gateway shows lines printed outside frames as this device's log.
 */
#include "snbridge_device.h"

#define MAX_FRAME 128

static uint8_t rx_buf[SND_RX_BUF_SIZE(MAX_FRAME)];
static uint8_t tx_buf[SND_TX_BUF_SIZE(MAX_FRAME)];
static uint8_t pending_buf[16];            /* copy of the QoS 1 PUBLISH in flight, for retries */
static snd_topic topics[3];
static snd_device dev;

/* AVR boards have no chip id: give each board its own bytes (or read them from EEPROM). */
static const uint8_t device_id[] = {'u', 'n', 'o', 0x00, 0x01};

static const char TEMPERATURE_TOPIC[] = "sensors/uno/temperature";
static const char LED_TOPIC[] = "actuators/uno/led";
static uint16_t temperature_topic_id;
static uint16_t led_topic_id;
static uint32_t last_publish_ms;

static void port_write(void *ctx, const uint8_t *bytes, size_t len) {
    (void)ctx;
    Serial.write(bytes, len);
}

static uint32_t port_millis(void *ctx) {
    (void)ctx;
    return millis();
}

static void on_event(void *ctx, const snd_event *ev) {
    (void)ctx;
    switch (ev->type) {
    case SND_EV_LINK_UP:
        /* Clean session, 60 s MQTT-SN keepalive. */
        snd_connect(&dev, "uno-sensor", 60, 1);
        break;
    case SND_EV_CONNACK:
        if (ev->rc == 0) snd_register(&dev, TEMPERATURE_TOPIC);
        break;
    case SND_EV_REGACK:
        if (ev->rc == 0 && ev->topic && strcmp(ev->topic, TEMPERATURE_TOPIC) == 0) {
            temperature_topic_id = ev->topic_id;
            snd_subscribe(&dev, LED_TOPIC, 1);
        }
        break;
    case SND_EV_SUBACK:
        if (ev->rc == 0) led_topic_id = ev->topic_id;
        break;
    case SND_EV_PUBLISH:
        if (ev->topic_id == led_topic_id && ev->len > 0) {
            digitalWrite(LED_BUILTIN, ev->data[0] == '1' ? HIGH : LOW);
        }
        break;
    case SND_EV_LINK_DOWN:
        /* The library says HELLO again by itself; MQTT-SN starts over once the link is back. */
        temperature_topic_id = 0;
        led_topic_id = 0;
        break;
    default:
        break;
    }
}

void setup() {
    pinMode(LED_BUILTIN, OUTPUT);
    Serial.begin(115200);
    Serial.println(F("snbridge sensor booting"));   /* console text: shows up in the gateway's log */

    snd_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.port.write = port_write;
    cfg.port.millis = port_millis;
    cfg.on_event = on_event;
    cfg.rx_buf = rx_buf;
    cfg.rx_size = sizeof rx_buf;
    cfg.tx_buf = tx_buf;
    cfg.tx_size = sizeof tx_buf;
    cfg.max_frame = MAX_FRAME;
    cfg.pending_buf = pending_buf;
    cfg.pending_size = sizeof pending_buf;
    cfg.topics = topics;
    cfg.topic_count = sizeof topics / sizeof topics[0];
    cfg.device_id = device_id;
    cfg.device_id_len = sizeof device_id;
    cfg.fw_name = "snbridge_sensor";
    cfg.fw_version = "1.0.0";
    snd_init(&dev, &cfg);    /* sends HELLO, retried every second until the gateway answers */
}

void loop() {
    while (Serial.available() > 0) {
        uint8_t byte = (uint8_t)Serial.read();
        snd_feed(&dev, &byte, 1);
    }
    snd_poll(&dev);

    if (temperature_topic_id && millis() - last_publish_ms >= 10000UL) {
        last_publish_ms = millis();
        /* A stand-in reading from A0; replace with your sensor. */
        int tenths = analogRead(A0) * 500L / 1023;
        char payload[12];
        snprintf(payload, sizeof payload, "%d.%d", tenths / 10, tenths % 10);
        int rc = snd_publish(&dev, temperature_topic_id, 0, 1, 0, (const uint8_t *)payload, strlen(payload));
        if (rc < 0) {
            Serial.print(F("publish skipped: "));
            Serial.println(rc);
        }
    }
}
