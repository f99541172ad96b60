/*
 * snbridge_sensor: an Arduino (Uno, Nano, any board with a USB serial port) publishing a temperature reading to
 * MQTT through snbridge with QoS 1, and switching its LED from an MQTT topic.
 *
 * Install the library (Sketch > Include Library > Add .ZIP Library, or copy Firmware-Protocol/snbridge-device into
 * your sketchbook's libraries/ folder), open File > Examples > snbridge-device > snbridge_sensor, upload. Then:
 *
 *     snbridge run --serial /dev/ttyACM0        (or the board appears through USB discovery)
 *     mosquitto_sub -t 'sensors/#' -v
 *     mosquitto_pub -t actuators/uno/led -m 1
 *
 * Serial.print() debugging keeps working: the gateway shows whole lines printed between frames as this device's
 * log. Print whole lines (println) from loop(), never from an interrupt, so no text lands inside a frame.
 */
#include <snbridge_device.h>

#define MAX_FRAME 128
#define TOPIC_NAME_MAX 32                   /* the library's default is 128; an Uno keeps its RAM for other things */

static uint8_t rx_buf[SND_RX_BUF_SIZE(MAX_FRAME)];
static uint8_t tx_buf[SND_TX_BUF_SIZE(MAX_FRAME)];
static uint8_t pending_buf[16];            /* copy of the QoS 1 PUBLISH in flight, for retries */
static uint8_t topics[SND_TOPIC_STORAGE_SIZE(3, TOPIC_NAME_MAX)];
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
        snd_client_connect(&dev.client, "uno-sensor", 60, 1);
        break;
    case SND_EV_CONNACK:
        if (ev->u.connack.rc == SND_RC_ACCEPTED) snd_client_register(&dev.client, TEMPERATURE_TOPIC);
        break;
    case SND_EV_REGACK:
        if (ev->u.ack.rc == SND_RC_ACCEPTED && ev->u.ack.topic && strcmp(ev->u.ack.topic, TEMPERATURE_TOPIC) == 0) {
            temperature_topic_id = ev->u.ack.topic_id;
            snd_client_subscribe(&dev.client, LED_TOPIC, 1);
        }
        break;
    case SND_EV_SUBACK:
        if (ev->u.ack.rc == SND_RC_ACCEPTED) led_topic_id = ev->u.ack.topic_id;
        break;
    case SND_EV_ABANDONED:
        /* No answer after the retries: start over with a new CONNECT (it registers and subscribes again). */
        if (ev->u.abandoned.reason == SND_ABANDONED_TIMEOUT && ev->u.abandoned.request != SND_REQUEST_PUBLISH) {
            snd_client_connect(&dev.client, "uno-sensor", 60, 1);
        }
        break;
    case SND_EV_PUBLISH:
        if (ev->u.publish.topic_id == led_topic_id && ev->u.publish.len > 0) {
            digitalWrite(LED_BUILTIN, ev->u.publish.data[0] == '1' ? HIGH : LOW);
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

    snd_device_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.link.port.write = port_write;
    cfg.link.port.millis = port_millis;
    cfg.link.rx_buf = rx_buf;
    cfg.link.rx_size = sizeof rx_buf;
    cfg.link.tx_buf = tx_buf;
    cfg.link.tx_size = sizeof tx_buf;
    cfg.link.max_frame = MAX_FRAME;
    cfg.link.device_id = device_id;
    cfg.link.device_id_len = sizeof device_id;
    cfg.link.fw_name = "snbridge_sensor";
    cfg.link.fw_version = "1.0.0";
    cfg.client.pending_buf = pending_buf;
    cfg.client.pending_size = sizeof pending_buf;
    cfg.client.topic_storage = topics;
    cfg.client.topic_count = 3;
    cfg.client.topic_name_max = TOPIC_NAME_MAX;
    cfg.on_event = on_event;
    snd_device_init(&dev, &cfg);    /* sends HELLO, retried every second until the gateway answers */
}

void loop() {
    while (Serial.available() > 0) {
        uint8_t byte = (uint8_t)Serial.read();
        snd_device_feed(&dev, &byte, 1);
    }
    snd_device_poll(&dev);

    if (temperature_topic_id && millis() - last_publish_ms >= 10000UL) {
        last_publish_ms = millis();
        /* A stand-in reading from A0; replace with your sensor. */
        int tenths = analogRead(A0) * 500L / 1023;
        char payload[12];
        snprintf(payload, sizeof payload, "%d.%d", tenths / 10, tenths % 10);
        int rc = snd_client_publish(&dev.client, temperature_topic_id, 0, 1, 0, (const uint8_t *)payload,
                                    strlen(payload));
        if (rc < 0) {
            Serial.print(F("publish skipped: "));
            Serial.println(rc);
        }
    }
}
