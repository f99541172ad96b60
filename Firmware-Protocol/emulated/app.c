/*
 * The firmware the emulated-board tests flash: the device library on a real instruction set, linked for the
 * board's memory. It links, connects, registers its topics, subscribes to its command topic and then
 *
 *   emulated/<board>/reading  QoS 1 "reading <n>" every second, n counting up from 1, the next only after PUBACK
 *   emulated/<board>/ack      QoS 1 "got <payload>" for every message on emulated/<board>/command
 *
 * so a subscriber on the broker sees every reading once and in order, and sees each command come back. It prints
 * "<board> booting" on the console before the first frame and "<board> linked" on every link up, which the gateway
 * logs as the device's console.
 */
#include "board.h"
#include "snbridge_device.h"

#include <string.h>

#ifndef APP_MAX_FRAME
#define APP_MAX_FRAME 256
#endif
#define APP_TOPIC_NAME_MAX 40
#define APP_PAYLOAD_MAX 48

static uint8_t rx_buf[SND_RX_BUF_SIZE(APP_MAX_FRAME)];
static uint8_t tx_buf[SND_TX_BUF_SIZE(APP_MAX_FRAME)];
static uint8_t pending_buf[APP_PAYLOAD_MAX];
static uint8_t topics[SND_TOPIC_STORAGE_SIZE(3, APP_TOPIC_NAME_MAX)];
static snd_device dev;

static char client_id[24];
static char linked_line[32];
static char reading_topic[APP_TOPIC_NAME_MAX + 1];
static char ack_topic[APP_TOPIC_NAME_MAX + 1];
static char command_topic[APP_TOPIC_NAME_MAX + 1];
static uint16_t reading_id, ack_id, command_id;
static uint8_t ready;
static uint32_t readings_sent;   /* acknowledged readings */
static uint32_t last_reading_ms;
static uint8_t reading_in_flight;
static uint8_t ack_payload[APP_PAYLOAD_MAX];
static size_t ack_len;           /* an acknowledgement waiting for the QoS 1 slot; 0: none */

static size_t append(char *out, size_t at, size_t cap, const char *text) {
    while (*text && at + 1 < cap) out[at++] = *text++;
    out[at] = 0;
    return at;
}

static size_t append_number(char *out, size_t at, size_t cap, uint32_t n) {
    char digits[11];
    size_t k = 0;
    do {
        digits[k++] = (char)('0' + n % 10u);
        n /= 10u;
    } while (n);
    while (k && at + 1 < cap) out[at++] = digits[--k];
    out[at] = 0;
    return at;
}

static void topic(char *out, const char *leaf) {
    size_t n = append(out, 0, APP_TOPIC_NAME_MAX + 1, "emulated/");
    n = append(out, n, APP_TOPIC_NAME_MAX + 1, board_name);
    append(out, n, APP_TOPIC_NAME_MAX + 1, leaf);
}

static void console(const char *text) {
    board_write((const uint8_t *)text, strlen(text));
    board_write((const uint8_t *)"\r\n", 2);
}

static void start_session(void) {
    ready = 0;
    reading_in_flight = 0;
    reading_id = ack_id = command_id = 0;
    snd_client_connect(&dev.client, client_id, 30, 1);
}

static void send_pending_ack(void) {
    if (!ack_len || !ack_id) return;
    if (snd_client_publish(&dev.client, ack_id, 0, 1, 0, ack_payload, ack_len) > 0) ack_len = 0;
}

static void on_event(void *ctx, const snd_event *ev) {
    (void)ctx;
    switch (ev->type) {
    case SND_EV_LINK_UP:
        console(linked_line);   /* between frames, as printf debugging would be */
        start_session();
        break;
    case SND_EV_CONNACK:
        if (ev->u.connack.rc == SND_RC_ACCEPTED) snd_client_register(&dev.client, reading_topic);
        break;
    case SND_EV_REGACK:
        if (ev->u.ack.rc != SND_RC_ACCEPTED || !ev->u.ack.topic) break;
        if (!strcmp(ev->u.ack.topic, reading_topic)) {
            reading_id = ev->u.ack.topic_id;
            snd_client_register(&dev.client, ack_topic);
        } else if (!strcmp(ev->u.ack.topic, ack_topic)) {
            ack_id = ev->u.ack.topic_id;
            snd_client_subscribe(&dev.client, command_topic, 1);
        }
        break;
    case SND_EV_SUBACK:
        if (ev->u.ack.rc == SND_RC_ACCEPTED) {
            command_id = ev->u.ack.topic_id;
            ready = 1;
        }
        break;
    case SND_EV_PUBACK:
        if (reading_in_flight && ev->u.ack.topic_id == reading_id) {
            reading_in_flight = 0;
            if (ev->u.ack.rc == SND_RC_ACCEPTED) readings_sent++;
        }
        send_pending_ack();
        break;
    case SND_EV_PUBLISH:
        if (ev->u.publish.topic_id == command_id && ev->u.publish.len + 4u <= sizeof ack_payload) {
            memcpy(ack_payload, "got ", 4);
            memcpy(ack_payload + 4, ev->u.publish.data, ev->u.publish.len);
            ack_len = ev->u.publish.len + 4u;
            send_pending_ack();
        }
        break;
    case SND_EV_ABANDONED:
        if (ev->u.abandoned.request == SND_REQUEST_PUBLISH) {
            reading_in_flight = 0; /* the same reading number goes again */
            send_pending_ack();
        } else if (ev->u.abandoned.reason == SND_ABANDONED_TIMEOUT) {
            start_session();
        }
        break;
    case SND_EV_LINK_DOWN:
        ready = 0;
        reading_in_flight = 0;
        break;
    default:
        break;
    }
}

static void port_write(void *ctx, const uint8_t *bytes, size_t len) {
    (void)ctx;
    board_write(bytes, len);
}

static uint32_t port_millis(void *ctx) {
    (void)ctx;
    return board_millis();
}

int main(void) {
    static char line[48];
    snd_device_config cfg;
    size_t n;
    board_init();
    n = append(client_id, 0, sizeof client_id, "emu-");
    append(client_id, n, sizeof client_id, board_name);
    topic(reading_topic, "/reading");
    topic(ack_topic, "/ack");
    topic(command_topic, "/command");
    n = append(line, 0, sizeof line, board_name);
    append(line, n, sizeof line, " booting");
    console(line);
    n = append(linked_line, 0, sizeof linked_line, board_name);
    append(linked_line, n, sizeof linked_line, " linked");

    memset(&cfg, 0, sizeof cfg);
    cfg.link.port.write = port_write;
    cfg.link.port.millis = port_millis;
    cfg.link.rx_buf = rx_buf;
    cfg.link.rx_size = sizeof rx_buf;
    cfg.link.tx_buf = tx_buf;
    cfg.link.tx_size = sizeof tx_buf;
    cfg.link.max_frame = APP_MAX_FRAME;
    cfg.link.device_id = board_id;
    cfg.link.device_id_len = board_id_len;
    cfg.link.fw_name = "snbridge-emulated";
    cfg.link.fw_version = board_name;
    cfg.client.pending_buf = pending_buf;
    cfg.client.pending_size = sizeof pending_buf;
    cfg.client.topic_storage = topics;
    cfg.client.topic_count = 3;
    cfg.client.topic_name_max = APP_TOPIC_NAME_MAX;
    cfg.on_event = on_event;
    snd_device_init(&dev, &cfg);

    for (;;) {
        uint8_t byte;
        while (board_read(&byte)) snd_device_feed(&dev, &byte, 1);
        snd_device_poll(&dev);
        board_idle();
        if (ready && !reading_in_flight && reading_id && (uint32_t)(board_millis() - last_reading_ms) >= 1000u) {
            char payload[24];
            size_t k = append(payload, 0, sizeof payload, "reading ");
            k = append_number(payload, k, sizeof payload, readings_sent + 1u);
            if (snd_client_publish(&dev.client, reading_id, 0, 1, 0, (const uint8_t *)payload, k) > 0) {
                reading_in_flight = 1;
                last_reading_ms = board_millis();
            }
        }
    }
}
