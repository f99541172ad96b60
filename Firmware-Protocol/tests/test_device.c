/* Host tests of snd_device, the link and the client wired together, against a scripted gateway. */
#include "snbridge_device.h"
#include "check.h"
#include "wire_capture.h"

static struct {
    uint32_t now;
    uint8_t wire[8192];
    size_t wire_len;
    snd_event events[64];
    int event_count;
} F;
static snd_device dev;
static uint8_t rx[SND_RX_BUF_SIZE(128)], tx[SND_TX_BUF_SIZE(128)], pending[16];
static uint8_t topics[SND_TOPIC_STORAGE_SIZE(3, 40)];

static void port_write(void *ctx, const uint8_t *bytes, size_t len) {
    (void)ctx;
    if (F.wire_len + len <= sizeof F.wire) {
        memcpy(F.wire + F.wire_len, bytes, len);
        F.wire_len += len;
    }
}
static uint32_t port_millis(void *ctx) { (void)ctx; return F.now; }
static void on_event(void *ctx, const snd_event *ev) {
    (void)ctx;
    if (F.event_count < 64) F.events[F.event_count++] = *ev;
}

static void drain(void) { drain_wire(F.wire, &F.wire_len); }
static void gateway_sends(uint8_t type, const char *payload_hex) {
    uint8_t p[300], w[400];
    size_t m = snd_frame_encode(type, p, unhex(payload_hex, p, sizeof p), w, sizeof w);
    snd_device_feed(&dev, w, m);
}
static int last_event(snd_event_type type) {
    int i;
    for (i = F.event_count - 1; i >= 0; i--) if (F.events[i].type == type) return i;
    return -1;
}

static void test_device(void) {
    static const uint8_t id[] = {'u', 'n', 'o', 0x00, 0x01};
    snd_device_config cfg;
    int i, reg;
    memset(&cfg, 0, sizeof cfg);
    cfg.link.port.write = port_write;
    cfg.link.port.millis = port_millis;
    cfg.link.rx_buf = rx; cfg.link.rx_size = sizeof rx;
    cfg.link.tx_buf = tx; cfg.link.tx_size = sizeof tx;
    cfg.link.max_frame = 128;
    cfg.link.device_id = id; cfg.link.device_id_len = sizeof id;
    cfg.client.pending_buf = pending; cfg.client.pending_size = sizeof pending;
    cfg.client.topic_storage = topics; cfg.client.topic_count = 3; cfg.client.topic_name_max = 40;
    cfg.on_event = on_event;
    CHECK(snd_device_init(&dev, &cfg) == SND_OK, "init");
    drain();
    CHECK(S.count == 1 && S.types[0] == SND_FRAME_HELLO, "HELLO at init");
    CHECK(snd_client_connect(&dev.client, "uno", 60, 1) == SND_ERR_NOT_LINKED, "no MQTT-SN before the link");

    gateway_sends(SND_FRAME_HELLO_ACK, "010400000F");
    CHECK(last_event(SND_EV_LINK_UP) >= 0 && F.events[last_event(SND_EV_LINK_UP)].u.link_up.max_frame == 128,
          "link up, maximum min(128, 1024)");
    CHECK(snd_client_connect(&dev.client, "uno", 60, 1) == SND_OK, "connect");
    drain();
    CHECK(S.count == 1 && S.types[0] == SND_FRAME_MQTTSN && S.lens[0] == 9, "CONNECT in an MQTTSN frame");
    gateway_sends(SND_FRAME_MQTTSN, "030500");
    CHECK(last_event(SND_EV_CONNACK) >= 0 && dev.client.state == SND_CLIENT_CONNECTED, "CONNACK reached the client");

    /* RESET in the middle of a REGISTER: LINK_DOWN first, then the REGISTER abandoned; HELLO goes out. */
    reg = snd_client_register(&dev.client, "sensors/uno/temperature");
    CHECK(reg > 0, "register");
    drain();
    gateway_sends(SND_FRAME_RESET, "00");
    i = last_event(SND_EV_LINK_DOWN);
    CHECK(i >= 0 && F.events[i].u.link_down.reason == SND_LINK_DOWN_RESET, "link down: reset");
    CHECK(i + 1 < F.event_count && F.events[i + 1].type == SND_EV_ABANDONED &&
          F.events[i + 1].u.abandoned.request == SND_REQUEST_REGISTER && F.events[i + 1].u.abandoned.msg_id == reg &&
          F.events[i + 1].u.abandoned.reason == SND_ABANDONED_LINK_DOWN, "then the REGISTER abandoned");
    CHECK(dev.client.state == SND_CLIENT_IDLE, "client reset");
    drain();
    CHECK(S.count == 1 && S.types[0] == SND_FRAME_HELLO, "HELLO after RESET");
    F.now += 60000;
    snd_device_poll(&dev);
    drain();
    for (i = 0; i < S.count; i++) CHECK(S.types[i] == SND_FRAME_HELLO, "only HELLO retries, no REGISTER retry");

    gateway_sends(SND_FRAME_HELLO_ACK, "010040000F");
    CHECK(snd_client_connect(&dev.client, "uno", 60, 0) == SND_OK, "connect again");
    gateway_sends(SND_FRAME_MQTTSN, "030500");
    CHECK(snd_client_register(&dev.client, "sensors/uno/temperature") > 0, "register again after relink");
    {
        uint8_t big[80];
        memset(big, 'x', sizeof big);
        CHECK(snd_client_publish(&dev.client, 1, 1, 0, 0, big, 54) == 0, "fits the 64-byte link");
        CHECK(snd_client_publish(&dev.client, 1, 1, 0, 0, big, 55) == SND_ERR_OVERSIZE, "the client sees the link max");
    }
}

/* Hostile input: random bytes and random MQTTSN frames (with plausible and implausible MQTT-SN headers) from the
   gateway. Under ASan/UBSan nothing may crash or overrun, and afterwards the device still links and connects. */
static void test_hostile_input(void) {
    uint32_t seed = 0x5eed1234u;
    uint8_t msg[300], wire[400];
    int i, k;
    size_t n, m;
#define NEXT() (seed = seed * 1103515245u + 12345u, (uint8_t)(seed >> 16))
    gateway_sends(SND_FRAME_HELLO_ACK, "010400000F");
    for (i = 0; i < 20000; i++) {
        n = (size_t)(NEXT() % 130u);
        for (k = 0; k < (int)n; k++) msg[k] = NEXT();
        if (n >= 2 && (i & 1)) {
            msg[0] = (uint8_t)n;                       /* a consistent length field, random type and body */
            if (i & 2) msg[1] = (uint8_t)(0x04 + NEXT() % 0x15u);
        }
        if (i % 7 == 0) {
            snd_device_feed(&dev, msg, n);             /* raw noise, zeros included */
        } else {
            m = snd_frame_encode(i % 5 == 0 ? NEXT() : SND_FRAME_MQTTSN, msg, n, wire, sizeof wire);
            snd_device_feed(&dev, wire, m);
        }
        if (i % 100 == 0) {
            F.now += 1000;
            snd_device_poll(&dev);
        }
        F.wire_len = 0;
        F.event_count = 0;
    }
#undef NEXT
    gateway_sends(SND_FRAME_RESET, "00");
    gateway_sends(SND_FRAME_HELLO_ACK, "010400000F");
    CHECK(snd_link_is_up(&dev.link), "links after 20000 hostile inputs");
    CHECK(snd_client_connect(&dev.client, "uno", 60, 1) == SND_OK, "connects after hostile input");
    gateway_sends(SND_FRAME_MQTTSN, "030500");
    CHECK(dev.client.state == SND_CLIENT_CONNECTED, "connected after hostile input");
}

int main(void) {
    test_device();
    test_hostile_input();
    return summary("device");
}
