/* Host tests of the reference library: the shared vectors, then the device against a scripted gateway. */
#include "snbridge_device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures, checks;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        checks++;                                                          \
        if (!(cond)) {                                                     \
            failures++;                                                    \
            printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);         \
            printf(__VA_ARGS__);                                           \
            printf("\n");                                                  \
        }                                                                  \
    } while (0)

static size_t unhex(const char *hex, uint8_t *out, size_t cap) {
    size_t n = 0;
    if (strcmp(hex, "-") == 0) return 0;
    while (hex[0] && hex[1] && n < cap) {
        unsigned v;
        sscanf(hex, "%2x", &v);
        out[n++] = (uint8_t)v;
        hex += 2;
    }
    return n;
}

/* Finds key=value in a vector line; returns a pointer to a static copy of the value. */
static const char *field(const char *line, const char *key) {
    static char value[8192];
    char pattern[32];
    const char *p;
    size_t n = 0;
    snprintf(pattern, sizeof pattern, " %s=", key);
    p = strstr(line, pattern);
    if (!p) return 0;
    p += strlen(pattern);
    while (p[n] && p[n] != ' ' && p[n] != '\n' && n + 1 < sizeof value) { value[n] = p[n]; n++; }
    value[n] = 0;
    return value;
}

/* ---- deframer capture ---- */

typedef struct capture {
    int frames, errors, last_error;
    uint8_t type;
    uint8_t payload[1100];
    size_t len;
    char console[512];
    size_t console_len;
} capture;

static void cap_frame(void *ctx, uint8_t type, const uint8_t *payload, size_t len) {
    capture *c = (capture *)ctx;
    c->frames++;
    c->type = type;
    memcpy(c->payload, payload, len);
    c->len = len;
}
static void cap_console(void *ctx, const uint8_t *bytes, size_t len) {
    capture *c = (capture *)ctx;
    if (c->console_len + len < sizeof c->console) {
        memcpy(c->console + c->console_len, bytes, len);
        c->console_len += len;
        c->console[c->console_len] = 0;
    }
}
static void cap_error(void *ctx, int status) {
    capture *c = (capture *)ctx;
    c->errors++;
    c->last_error = status;
}

static uint8_t rxbuf[SND_RX_BUF_SIZE(SND_FRAME_HARD_MAX)];

static void deframer_with(snd_deframer *d, capture *c, size_t max_frame) {
    snd_deframer_callbacks cb = {cap_frame, cap_console, cap_error, 0};
    memset(c, 0, sizeof *c);
    cb.ctx = c;
    snd_deframer_init(d, rxbuf, sizeof rxbuf, max_frame, &cb);
}

static int error_from_name(const char *name) {
    if (!strcmp(name, "cobs")) return SND_ERR_COBS;
    if (!strcmp(name, "too-short")) return SND_ERR_TOO_SHORT;
    if (!strcmp(name, "bad-crc")) return SND_ERR_BAD_CRC;
    if (!strcmp(name, "unknown-type")) return SND_ERR_UNKNOWN_TYPE;
    if (!strcmp(name, "oversize")) return SND_ERR_OVERSIZE;
    return 1;
}

static void run_vectors(const char *path) {
    static char line[8192];
    static uint8_t a[2048], b[2048], out[2048];
    int counted[4] = {0, 0, 0, 0};
    FILE *f = fopen(path, "r");
    CHECK(f != 0, "cannot open %s", path);
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        const char *name = field(line, "name");
        if (line[0] == '#' || !name) continue;
        char label[64];
        snprintf(label, sizeof label, "%s", name);
        if (!strncmp(line, "crc ", 4)) {
            size_t n = unhex(field(line, "data"), a, sizeof a);
            unsigned expected = (unsigned)strtoul(field(line, "crc"), 0, 16);
            CHECK(snd_crc16(a, n) == expected, "crc %s: %04X", label, snd_crc16(a, n));
            counted[0]++;
        } else if (!strncmp(line, "cobs ", 5)) {
            size_t n = unhex(field(line, "decoded"), a, sizeof a);
            size_t m = unhex(field(line, "encoded"), b, sizeof b);
            size_t e = snd_cobs_encode(a, n, out, sizeof out);
            long d;
            CHECK(e == m && memcmp(out, b, m) == 0, "cobs encode %s (len %zu vs %zu)", label, e, m);
            CHECK(m <= SND_COBS_MAX_ENCODED(n), "cobs bound %s", label);
            d = snd_cobs_decode(b, m, out, sizeof out);
            CHECK(d == (long)n && memcmp(out, a, n) == 0, "cobs decode %s (%ld)", label, d);
            counted[1]++;
        } else if (!strncmp(line, "frame ", 6)) {
            uint8_t type = (uint8_t)strtoul(field(line, "type"), 0, 16);
            size_t n = unhex(field(line, "payload"), a, sizeof a);
            size_t m = unhex(field(line, "wire"), b, sizeof b);
            size_t e = snd_frame_encode(type, a, n, out, sizeof out);
            snd_deframer d;
            capture c;
            size_t i;
            CHECK(e == m && memcmp(out, b, m) == 0, "frame encode %s", label);
            deframer_with(&d, &c, SND_FRAME_HARD_MAX);
            for (i = 0; i < m; i++) snd_deframer_push(&d, b[i]);
            if (snd_frame_type_known(type)) {
                CHECK(c.frames == 1 && c.type == type && c.len == n && !memcmp(c.payload, a, n), "deframe %s", label);
            } else {
                CHECK(c.frames == 0 && c.errors == 1 && c.last_error == SND_ERR_UNKNOWN_TYPE, "unknown %s", label);
            }
            counted[2]++;
        } else if (!strncmp(line, "invalid ", 8)) {
            size_t m = unhex(field(line, "wire"), b, sizeof b);
            int expected = error_from_name(field(line, "error"));
            snd_deframer d;
            capture c;
            size_t i;
            deframer_with(&d, &c, SND_FRAME_HARD_MAX);
            for (i = 0; i < m; i++) snd_deframer_push(&d, b[i]);
            CHECK(c.frames == 0 && c.errors == 1 && c.last_error == expected, "invalid %s: errors %d last %d",
                  label, c.errors, c.last_error);
            /* The next frame after any bad input is received normally. */

            {
                size_t e = snd_frame_encode(SND_FRAME_LINK_PING, (const uint8_t *)"ok", 2, out, sizeof out);
                for (i = 0; i < e; i++) snd_deframer_push(&d, out[i]);
                CHECK(c.frames == 1 && c.type == SND_FRAME_LINK_PING, "recovery after %s", label);
            }
            counted[3]++;
        }
    }
    fclose(f);
    CHECK(counted[0] >= 5 && counted[1] >= 10 && counted[2] >= 10 && counted[3] >= 8,
          "vector counts %d %d %d %d", counted[0], counted[1], counted[2], counted[3]);
    printf("vectors: %d crc, %d cobs, %d frame, %d invalid\n", counted[0], counted[1], counted[2], counted[3]);
}

static void test_console_and_noise(void) {
    static uint8_t out[256];
    const char *noise = "ets Jun  8 2016 00:22:57\r\nrst:0x1 (POWERON_RESET)\xff\xfe";
    snd_deframer d;
    capture c;
    size_t i, e;
    deframer_with(&d, &c, 256);
    for (i = 0; noise[i]; i++) snd_deframer_push(&d, (uint8_t)noise[i]);
    e = snd_frame_encode(SND_FRAME_HELLO_ACK, (const uint8_t *)"\x01\x04\x00\x00\x0f", 5, out, sizeof out);
    for (i = 0; i < e; i++) snd_deframer_push(&d, out[i]);
    CHECK(c.frames == 1 && c.type == SND_FRAME_HELLO_ACK, "frame after boot noise");
    CHECK(c.console_len == strlen(noise) && !memcmp(c.console, noise, c.console_len), "noise surfaced as console");
    CHECK(c.errors == 0, "noise is not a bad frame");
    /* printf text between frames, then a frame: text is console, frame arrives. */
    for (i = 0; i < 6; i++) snd_deframer_push(&d, (uint8_t)"x=42\r\n"[i]);
    for (i = 0; i < e; i++) snd_deframer_push(&d, out[i]);
    CHECK(c.frames == 2 && strstr(c.console, "x=42\r\n") != 0, "console between frames");
    /* A console run longer than the buffer is streamed, not dropped, and the link continues. */
    for (i = 0; i < 400; i++) snd_deframer_push(&d, 'a');
    for (i = 0; i < e; i++) snd_deframer_push(&d, out[i]);
    CHECK(c.frames == 3 && c.errors == 0, "long console run: frames %d errors %d", c.frames, c.errors);
}

/* ---- device against a scripted gateway ---- */

typedef struct fake {
    uint32_t now;
    uint8_t wire[8192];
    size_t wire_len;
    snd_event events[128];
    int event_count;
    char topics_seen[128][32];
} fake;

static fake F;

static void fake_write(void *ctx, const uint8_t *bytes, size_t len) {
    (void)ctx;
    if (F.wire_len + len <= sizeof F.wire) {
        memcpy(F.wire + F.wire_len, bytes, len);
        F.wire_len += len;
    }
}
static uint32_t fake_millis(void *ctx) { (void)ctx; return F.now; }
static void fake_event(void *ctx, const snd_event *ev) {
    (void)ctx;
    if (F.event_count < 128) {
        if (ev->topic) snprintf(F.topics_seen[F.event_count], 32, "%s", ev->topic);
        F.events[F.event_count++] = *ev;
    }
}

/* Decodes everything the device wrote so far into frames. */
typedef struct sent { int count; uint8_t types[32]; uint8_t payloads[32][300]; size_t lens[32]; } sent;
static sent S;
static void sent_frame(void *ctx, uint8_t type, const uint8_t *payload, size_t len) {
    (void)ctx;
    if (S.count < 32 && len <= 300) {
        S.types[S.count] = type;
        memcpy(S.payloads[S.count], payload, len);
        S.lens[S.count++] = len;
    }
}
static void drain(void) {
    static uint8_t buf[SND_RX_BUF_SIZE(1024)];
    snd_deframer d;
    snd_deframer_callbacks cb = {sent_frame, 0, 0, 0};
    size_t i;
    memset(&S, 0, sizeof S);
    snd_deframer_init(&d, buf, sizeof buf, 1024, &cb);
    for (i = 0; i < F.wire_len; i++) snd_deframer_push(&d, F.wire[i]);
    F.wire_len = 0;
}

static snd_device dev;
static uint8_t dev_rx[SND_RX_BUF_SIZE(256)], dev_tx[SND_TX_BUF_SIZE(256)], dev_pending[64];
static snd_topic dev_topics[4];

static void gateway_sends(uint8_t type, const char *payload_hex) {
    uint8_t p[300], w[400];
    size_t n = unhex(payload_hex, p, sizeof p);
    size_t m = snd_frame_encode(type, p, n, w, sizeof w);
    snd_feed(&dev, w, m);
}

static void start_device(void) {
    static const uint8_t mac[6] = {0x24, 0x0A, 0xC4, 0x12, 0x34, 0x56};
    snd_config cfg;
    memset(&F, 0, sizeof F);
    memset(&cfg, 0, sizeof cfg);
    memset(dev_topics, 0, sizeof dev_topics);
    cfg.port.write = fake_write;
    cfg.port.millis = fake_millis;
    cfg.on_event = fake_event;
    cfg.rx_buf = dev_rx; cfg.rx_size = sizeof dev_rx;
    cfg.tx_buf = dev_tx; cfg.tx_size = sizeof dev_tx;
    cfg.max_frame = 256;
    cfg.pending_buf = dev_pending; cfg.pending_size = sizeof dev_pending;
    cfg.topics = dev_topics; cfg.topic_count = 4;
    cfg.device_id = mac; cfg.device_id_len = 6;
    cfg.fw_name = "sensor"; cfg.fw_version = "1.0";
    CHECK(snd_init(&dev, &cfg) == SND_OK, "init");
}

static int last_event(snd_event_type type) {
    int i;
    for (i = F.event_count - 1; i >= 0; i--) if (F.events[i].type == type) return i;
    return -1;
}

static void test_device(void) {
    int i, id;
    start_device();
    drain();
    CHECK(S.count == 1 && S.types[0] == SND_FRAME_HELLO, "HELLO at start");
    CHECK(S.lens[0] == 22 && !memcmp(S.payloads[0], "\x01\x01\x01\x00\x06\x24\x0a\xc4\x12\x34\x56\x06sensor\x03" "1.0", 22),
          "HELLO bytes match vector hello-basic");
    CHECK(snd_connect(&dev, "dev1", 60, 1) == SND_ERR_NOT_LINKED, "no MQTT-SN before link");
    F.now = 999; snd_poll(&dev); drain();
    CHECK(S.count == 0, "no retry before 1 s");
    F.now = 1000; snd_poll(&dev); drain();
    CHECK(S.count == 1 && S.types[0] == SND_FRAME_HELLO, "HELLO retried");

    gateway_sends(SND_FRAME_HELLO_ACK, "010400000F");
    i = last_event(SND_EV_LINK_UP);
    CHECK(i >= 0 && F.events[i].version == 1 && F.events[i].keepalive == 15 && F.events[i].max_frame == 256, "link up");

    gateway_sends(SND_FRAME_LINK_PING, "0000002A");
    drain();
    CHECK(S.count == 1 && S.types[0] == SND_FRAME_LINK_PONG && S.lens[0] == 4 && !memcmp(S.payloads[0], "\0\0\0\x2a", 4),
          "PONG echoes token");

    CHECK(snd_connect(&dev, "dev1", 60, 1) == SND_OK, "connect");
    drain();
    CHECK(S.count == 1 && S.lens[0] == 10 && !memcmp(S.payloads[0], "\x0a\x04\x04\x01\x00\x3c" "dev1", 10),
          "CONNECT bytes match vector mqttsn-connect");
    gateway_sends(SND_FRAME_MQTTSN, "030500");
    CHECK(last_event(SND_EV_CONNACK) >= 0 && F.events[last_event(SND_EV_CONNACK)].rc == 0, "connack");

    id = snd_register(&dev, "home/temp");
    drain();
    CHECK(id == 1 && S.count == 1 && S.payloads[0][1] == 0x0A, "REGISTER sent");
    gateway_sends(SND_FRAME_MQTTSN, "070B0007000100");
    i = last_event(SND_EV_REGACK);
    CHECK(i >= 0 && F.events[i].topic_id == 7 && !strcmp(F.topics_seen[i], "home/temp"), "regack with topic");
    CHECK(snd_topic_id(&dev, "home/temp") == 7, "topic remembered");

    id = snd_publish(&dev, 7, 0, 1, 0, (const uint8_t *)"21.5", 4);
    drain();
    CHECK(id == 2 && S.count == 1 && S.lens[0] == 11 && !memcmp(S.payloads[0], "\x0b\x0c\x20\x00\x07\x00\x02" "21.5", 11),
          "PUBLISH QoS 1 bytes");
    F.now += SND_RETRY_MS; snd_poll(&dev); drain();
    CHECK(S.count == 1 && S.payloads[0][2] == (0x20 | 0x80), "retry with DUP");
    CHECK(snd_publish(&dev, 7, 0, 1, 0, (const uint8_t *)"x", 1) == SND_ERR_BUSY, "one QoS 1 in flight");
    gateway_sends(SND_FRAME_MQTTSN, "070D0007000200");
    i = last_event(SND_EV_PUBACK);
    CHECK(i >= 0 && F.events[i].msg_id == 2 && F.events[i].rc == 0, "puback matched");
    F.now += SND_RETRY_MS; snd_poll(&dev); drain();
    CHECK(S.count == 0 || S.types[0] != SND_FRAME_MQTTSN, "no retry after PUBACK");

    /* QoS 1 without an answer times out after SND_RETRY_COUNT retries. */
    id = snd_publish(&dev, 7, 0, 1, 0, (const uint8_t *)"1", 1);
    for (i = 0; i <= (int)SND_RETRY_COUNT; i++) {
        F.now += SND_RETRY_MS;
        gateway_sends(SND_FRAME_LINK_PING, "-"); /* keep the link alive meanwhile */
        snd_poll(&dev);
    }
    CHECK(last_event(SND_EV_PUBLISH_TIMEOUT) >= 0, "publish timeout");
    drain();

    CHECK(snd_publish(&dev, 5, 1, -1, 0, (const uint8_t *)"on", 2) == 0, "QoS -1");
    drain();
    CHECK(S.count == 1 && S.payloads[0][2] == 0x61, "QoS -1 flags with predefined id");

    /* The gateway registers a topic, then publishes on it. */
    gateway_sends(SND_FRAME_MQTTSN, "0D0A0009002A636D642F6C6564");
    drain();
    CHECK(S.count == 1 && S.lens[0] == 7 && !memcmp(S.payloads[0], "\x07\x0b\x00\x09\x00\x2a\x00", 7), "REGACK answered");
    CHECK(snd_topic_id(&dev, "cmd/led") == 9, "gateway topic remembered");
    gateway_sends(SND_FRAME_MQTTSN, "090C20000900056F6E");
    i = last_event(SND_EV_PUBLISH);
    CHECK(i >= 0 && F.events[i].topic_id == 9 && F.events[i].qos == 1 && F.events[i].len == 2, "incoming publish");
    drain();
    CHECK(S.count == 1 && !memcmp(S.payloads[0], "\x07\x0d\x00\x09\x00\x05\x00", 7), "PUBACK for QoS 1");

    id = snd_subscribe(&dev, "cmd/#", 1);
    drain();
    CHECK(id > 0 && S.count == 1 && S.payloads[0][1] == 0x12 && S.payloads[0][2] == 0x20, "SUBSCRIBE");
    CHECK(snd_pingreq(&dev) == SND_OK, "pingreq");
    CHECK(snd_disconnect(&dev, 30) == SND_OK, "sleep");
    CHECK(snd_wake(&dev) == SND_OK, "wake");
    drain();
    CHECK(S.count == 3 && S.lens[1] == 4 && !memcmp(S.payloads[1], "\x04\x18\x00\x1e", 4), "DISCONNECT with duration");
    CHECK(S.lens[2] == 6 && !memcmp(S.payloads[2], "\x06\x16" "dev1", 6), "PINGREQ with client id");

    /* Encapsulated message for a node behind this device. */
    gateway_sends(SND_FRAME_MQTTSN, "05FE00002A030500");
    i = last_event(SND_EV_FORWARDED);
    CHECK(i >= 0 && F.events[i].node_id_len == 2 && F.events[i].len == 3, "forwarded to node");

    /* Corrupted frame from the gateway is reported and the link goes on. */
    {
        uint8_t w[32];
        size_t m = snd_frame_encode(SND_FRAME_LINK_PING, (const uint8_t *)"\x01", 1, w, sizeof w);
        w[2] ^= 0x40;
        snd_feed(&dev, w, m);
        i = last_event(SND_EV_FRAME_ERROR);
        CHECK(i >= 0 && F.events[i].rc == SND_ERR_BAD_CRC, "bad CRC reported");
    }

    /* RESET re-hello. */
    drain();
    gateway_sends(SND_FRAME_RESET, "00");
    drain();
    CHECK(!snd_is_linked(&dev) && S.count == 1 && S.types[0] == SND_FRAME_HELLO, "RESET makes the device re-hello");
    gateway_sends(SND_FRAME_HELLO_ACK, "010400000F");
    CHECK(snd_is_linked(&dev), "relinked");

    /* Silence: ping after K, lost after 3K. */
    drain();
    F.now += 15000; snd_poll(&dev); drain();
    CHECK(S.count == 1 && S.types[0] == SND_FRAME_LINK_PING, "device pings a silent gateway");
    F.now += 30000; snd_poll(&dev); drain();
    CHECK(!snd_is_linked(&dev) && S.count == 1 && S.types[0] == SND_FRAME_HELLO, "silence: link lost, re-hello");
    i = last_event(SND_EV_LINK_DOWN);
    CHECK(i >= 0 && F.events[i].rc == 0, "link down event");

    /* Version mismatch. */
    gateway_sends(SND_FRAME_REJECT, "010203");
    i = last_event(SND_EV_REJECTED);
    CHECK(i >= 0 && F.events[i].rc == 1 && F.events[i].qos == 2 && F.events[i].version == 3, "reject");
    F.now += 5000; snd_poll(&dev); drain();
    CHECK(S.count == 0, "no HELLO retries after REJECT");
}

static void test_oversize_refused(void) {
    uint8_t big[300];
    memset(big, 'x', sizeof big);
    start_device();
    gateway_sends(SND_FRAME_HELLO_ACK, "010040000F"); /* gateway max 64 */
    CHECK(snd_send_frame(&dev, SND_FRAME_MQTTSN, big, 62) == SND_ERR_OVERSIZE, "link max enforced");
    CHECK(snd_send_frame(&dev, SND_FRAME_MQTTSN, big, 61) == SND_OK, "link max reachable");
}

static void test_raw_mode_and_hub(void) {
    static const uint8_t connack_then_publish[] = {0x03, 0x05, 0x00, 0x08, 0x0C, 0x60, 0x00, 0x05, 0x00, 0x00, 0x68};
    snd_config cfg;
    int i;
    start_device();
    /* Hub: a radio node's message goes out encapsulated with its node id. */
    gateway_sends(SND_FRAME_HELLO_ACK, "010400000F");
    drain();
    CHECK(snd_send_forwarded(&dev, (const uint8_t *)"\x00\x2a", 2, (const uint8_t *)"\x02\x16", 2) == SND_OK, "forward");
    drain();
    CHECK(S.count == 1 && S.lens[0] == 7 && !memcmp(S.payloads[0], "\x05\xfe\x00\x00\x2a\x02\x16", 7), "encapsulated bytes");

    /* Will: the gateway asks, the library answers from snd_set_will. */
    snd_set_will(&dev, "dev/status", (const uint8_t *)"gone", 4, 1, 1);
    CHECK(snd_connect(&dev, "dev1", 60, 1) == SND_OK, "connect with will");
    drain();
    CHECK(S.count == 1 && S.payloads[0][2] == 0x0C, "CONNECT flags: will and clean session");
    gateway_sends(SND_FRAME_MQTTSN, "0206");
    gateway_sends(SND_FRAME_MQTTSN, "0208");
    drain();
    CHECK(S.count == 2 && S.lens[0] == 13 && !memcmp(S.payloads[0], "\x0d\x07\x30" "dev/status", 13), "WILLTOPIC");
    CHECK(S.lens[1] == 6 && !memcmp(S.payloads[1], "\x06\x09" "gone", 6), "WILLMSG");

    /* Incoming QoS 2: PUBREC, then PUBCOMP for PUBREL. */
    gateway_sends(SND_FRAME_MQTTSN, "070C4000090007");
    gateway_sends(SND_FRAME_MQTTSN, "04100007");
    drain();
    CHECK(S.count == 2 && !memcmp(S.payloads[0], "\x04\x0f\x00\x07", 4) && !memcmp(S.payloads[1], "\x04\x0e\x00\x07", 4),
          "QoS 2 handshake");

    /* The largest message fills the link maximum; one more byte is refused, not cut. */
    {
        uint8_t payload[249];
        memset(payload, 'p', sizeof payload);
        /* 256-byte link: 253 payload bytes per frame = 2 header + 5 PUBLISH fields + 246 data. */
        CHECK(snd_publish(&dev, 9, 0, 0, 0, payload, 246) == 0, "largest publish");
        drain();
        CHECK(S.count == 1 && S.lens[0] == 253 && S.payloads[0][0] == 253, "largest frame payload");
        CHECK(snd_publish(&dev, 9, 0, 0, 0, payload, 247) == SND_ERR_OVERSIZE, "oversize publish refused");
        /* Incoming message in the 3-byte length form. */
        gateway_sends(SND_FRAME_MQTTSN, "0100090C6000050000");
        i = last_event(SND_EV_PUBLISH);
        CHECK(i >= 0 && F.events[i].topic_id == 5 && F.events[i].len == 0, "3-byte length field decoded");
    }

    /* Compatibility mode: no HELLO, raw length-delimited MQTT-SN both ways. */
    memset(&F, 0, sizeof F);
    cfg = dev.cfg;
    cfg.raw_mqttsn = 1;
    CHECK(snd_init(&dev, &cfg) == SND_OK && F.wire_len == 0, "raw mode sends no HELLO");
    CHECK(snd_pingreq(&dev) == SND_OK && F.wire_len == 2 && F.wire[0] == 0x02 && F.wire[1] == 0x16, "raw PINGREQ");
    snd_feed(&dev, (const uint8_t *)"\x00", 1); /* not a valid length: skipped */
    snd_feed(&dev, connack_then_publish, sizeof connack_then_publish);
    CHECK(last_event(SND_EV_CONNACK) >= 0, "raw CONNACK");
    i = last_event(SND_EV_PUBLISH);
    CHECK(i >= 0 && F.events[i].qos == 3 && F.events[i].topic_id == 5 && F.events[i].len == 1, "raw QoS -1 PUBLISH");

    /* Manual hello: nothing sent until asked. */
    memset(&F, 0, sizeof F);
    cfg.raw_mqttsn = 0;
    cfg.manual_hello = 1;
    CHECK(snd_init(&dev, &cfg) == SND_OK && F.wire_len == 0, "manual hello: silent at init");
    F.now += 5000;
    snd_poll(&dev);
    CHECK(F.wire_len == 0, "manual hello: no retries before the first hello");
    CHECK(snd_hello(&dev) == SND_OK && F.wire_len > 0, "manual hello sent");
}

int main(int argc, char **argv) {
    const char *vectors = argc > 1 ? argv[1] : "vectors/vectors.txt";
    run_vectors(vectors);
    test_console_and_noise();
    test_device();
    test_oversize_refused();
    test_raw_mode_and_hub();
    printf("%s: %d checks, %d failed\n", failures ? "FAILED" : "PASSED", checks, failures);
    return failures ? 1 : 0;
}
