/* Host tests of the framing and the link layer alone (built without the MQTT-SN client): the shared vectors, the
   deframer, and the link against a scripted gateway. */
#include "snd_link.h"
#include "check.h"
#include "wire_capture.h"

#include <stdlib.h>

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
    char console[4096];
    size_t console_len;
    char *log_frames, *log_errors;   /* when set: ",10,04" style logs for stream vectors */
} capture;

static const char *error_name(int status) {
    switch (status) {
    case SND_ERR_COBS: return "cobs";
    case SND_ERR_TOO_SHORT: return "too-short";
    case SND_ERR_BAD_CRC: return "bad-crc";
    case SND_ERR_UNKNOWN_TYPE: return "unknown-type";
    case SND_ERR_OVERSIZE: return "oversize";
    default: return "?";
    }
}

static void cap_frame(void *ctx, uint8_t type, const uint8_t *payload, size_t len) {
    capture *c = (capture *)ctx;
    c->frames++;
    c->type = type;
    memcpy(c->payload, payload, len);
    c->len = len;
    if (c->log_frames) snprintf(c->log_frames + strlen(c->log_frames), 8, ",%02X", type);
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
    if (c->log_errors) snprintf(c->log_errors + strlen(c->log_errors), 16, ",%s", error_name(status));
}

static void deframer_with(snd_deframer *d, capture *c, size_t max_frame) {
    snd_deframer_callbacks cb = {cap_frame, cap_console, cap_error, 0};
    static uint8_t rxbuf[SND_RX_BUF_SIZE(SND_FRAME_HARD_MAX)];
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


/* A stream vector: a fresh receiver (console position) with the given maximum gets the wire bytes and must report
   exactly these frame types, these errors, and these console bytes (everything outside frames, in order). */
static void run_stream(const char *line, const char *label) {
    static uint8_t wire[4096], console[4096];
    char frames_seen[256] = "", errors_seen[256] = "", expected[256];
    size_t m, k, i;
    int max = atoi(field(line, "max"));
    snd_deframer d;
    capture c;
    m = unhex(field(line, "wire"), wire, sizeof wire);
    deframer_with(&d, &c, (size_t)max);
    c.log_frames = frames_seen;
    c.log_errors = errors_seen;
    for (i = 0; i < m; i++) snd_deframer_push(&d, wire[i]);
    snprintf(expected, sizeof expected, "%s", field(line, "frames"));
    CHECK(!strcmp(frames_seen[0] ? frames_seen + 1 : "-", expected), "stream %s frames %s", label, frames_seen);
    snprintf(expected, sizeof expected, "%s", field(line, "errors"));
    CHECK(!strcmp(errors_seen[0] ? errors_seen + 1 : "-", expected), "stream %s errors %s", label, errors_seen);
    k = unhex(field(line, "console"), console, sizeof console);
    CHECK(c.console_len == k && !memcmp(c.console, console, k), "stream %s console %zu bytes, expected %zu", label,
          c.console_len, k);
}

static void run_vectors(const char *path) {
    static char line[8192];
    static uint8_t a[2048], b[2048], out[2048];
    int counted[5] = {0, 0, 0, 0, 0};
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
        } else if (!strncmp(line, "stream ", 7)) {
            run_stream(line, label);
            counted[4]++;
        }
    }
    fclose(f);
    CHECK(counted[0] >= 5 && counted[1] >= 10 && counted[2] >= 10 && counted[3] >= 8 && counted[4] >= 4,
          "vector counts %d %d %d %d %d", counted[0], counted[1], counted[2], counted[3], counted[4]);
    printf("vectors: %d crc, %d cobs, %d frame, %d invalid, %d stream\n", counted[0], counted[1], counted[2],
           counted[3], counted[4]);
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

/* ---- the link against a scripted gateway ---- */

typedef struct fake {
    uint32_t now;
    uint8_t wire[8192];
    size_t wire_len;
    snd_event events[64];
    int event_count;
    uint8_t payloads[8][300];
    size_t payload_lens[8];
    int payload_count;
} fake;

static fake F;
static snd_link link_;

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
    if (F.event_count < 64) F.events[F.event_count++] = *ev;
}
static void fake_payload(void *ctx, const uint8_t *msg, size_t len) {
    (void)ctx;
    if (F.payload_count < 8 && len <= 300) {
        memcpy(F.payloads[F.payload_count], msg, len);
        F.payload_lens[F.payload_count++] = len;
    }
}

static void drain(void) { drain_wire(F.wire, &F.wire_len); }

static uint8_t link_rx[SND_RX_BUF_SIZE(256)], link_tx[SND_TX_BUF_SIZE(256)];

static void gateway_sends(uint8_t type, const char *payload_hex) {
    uint8_t p[300], w[400];
    size_t n = unhex(payload_hex, p, sizeof p);
    size_t m = snd_frame_encode(type, p, n, w, sizeof w);
    snd_link_feed(&link_, w, m);
}

static snd_link_config link_config(void) {
    static const uint8_t mac[6] = {0x24, 0x0A, 0xC4, 0x12, 0x34, 0x56};
    snd_link_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.port.write = fake_write;
    cfg.port.millis = fake_millis;
    cfg.cb.event = fake_event;
    cfg.cb.payload = fake_payload;
    cfg.rx_buf = link_rx; cfg.rx_size = sizeof link_rx;
    cfg.tx_buf = link_tx; cfg.tx_size = sizeof link_tx;
    cfg.max_frame = 256;
    cfg.device_id = mac; cfg.device_id_len = 6;
    cfg.fw_name = "sensor"; cfg.fw_version = "1.0";
    return cfg;
}

static void start_link(void) {
    snd_link_config cfg = link_config();
    memset(&F, 0, sizeof F);
    CHECK(snd_link_init(&link_, &cfg) == SND_OK, "init");
}

static int last_event(snd_event_type type) {
    int i;
    for (i = F.event_count - 1; i >= 0; i--) if (F.events[i].type == type) return i;
    return -1;
}

static void test_link(void) {
    int i;
    start_link();
    drain();
    CHECK(S.count == 1 && S.types[0] == SND_FRAME_HELLO, "HELLO at start");
    CHECK(S.lens[0] == 22 && !memcmp(S.payloads[0], "\x01\x01\x01\x00\x06\x24\x0a\xc4\x12\x34\x56\x06sensor\x03" "1.0", 22),
          "HELLO bytes match vector hello-basic");
    CHECK(snd_link_send(&link_, SND_FRAME_MQTTSN, (const uint8_t *)"\x02\x16", 2) == SND_ERR_NOT_LINKED,
          "no MQTTSN frame before the link is up");
    F.now = 999; snd_link_poll(&link_); drain();
    CHECK(S.count == 0, "no retry before 1 s");
    F.now = 1000; snd_link_poll(&link_); drain();
    CHECK(S.count == 1 && S.types[0] == SND_FRAME_HELLO, "HELLO retried");
    gateway_sends(SND_FRAME_HELLO_ACK, "020400000F");
    CHECK(!snd_link_is_up(&link_), "HELLO-ACK with a version outside the range is ignored");

    gateway_sends(SND_FRAME_HELLO_ACK, "010400000F");
    i = last_event(SND_EV_LINK_UP);
    CHECK(i >= 0 && F.events[i].u.link_up.version == 1 && F.events[i].u.link_up.keepalive_s == 15 &&
          F.events[i].u.link_up.max_frame == 256, "link up");

    gateway_sends(SND_FRAME_LINK_PING, "0000002A");
    drain();
    CHECK(S.count == 1 && S.types[0] == SND_FRAME_LINK_PONG && S.lens[0] == 4 && !memcmp(S.payloads[0], "\0\0\0\x2a", 4),
          "PONG echoes token");

    /* MQTTSN payloads go up through the callback, untouched. */
    gateway_sends(SND_FRAME_MQTTSN, "030500");
    CHECK(F.payload_count == 1 && F.payload_lens[0] == 3 && !memcmp(F.payloads[0], "\x03\x05\x00", 3), "payload up");
    CHECK(snd_link_send(&link_, SND_FRAME_MQTTSN, (const uint8_t *)"\x02\x16", 2) == SND_OK, "MQTTSN frame sent");
    drain();
    CHECK(S.count == 1 && S.types[0] == SND_FRAME_MQTTSN && S.lens[0] == 2, "MQTTSN frame on the wire");

    /* Corrupted frame from the gateway is reported and the link goes on. */
    {
        uint8_t w[32];
        size_t m = snd_frame_encode(SND_FRAME_LINK_PING, (const uint8_t *)"\x01", 1, w, sizeof w);
        w[2] ^= 0x40;
        snd_link_feed(&link_, w, m);
        i = last_event(SND_EV_FRAME_ERROR);
        CHECK(i >= 0 && F.events[i].u.frame_error.status == SND_ERR_BAD_CRC, "bad CRC reported");
        CHECK(snd_link_is_up(&link_), "still up after a bad frame");
    }

    /* RESET re-hello and reboot, with named reasons. */
    drain();
    gateway_sends(SND_FRAME_RESET, "00");
    drain();
    CHECK(!snd_link_is_up(&link_) && S.count == 1 && S.types[0] == SND_FRAME_HELLO, "RESET makes the device re-hello");
    i = last_event(SND_EV_LINK_DOWN);
    CHECK(i >= 0 && F.events[i].u.link_down.reason == SND_LINK_DOWN_RESET, "reason: reset");
    gateway_sends(SND_FRAME_HELLO_ACK, "010400000F");
    gateway_sends(SND_FRAME_RESET, "01");
    i = last_event(SND_EV_LINK_DOWN);
    CHECK(i >= 0 && F.events[i].u.link_down.reason == SND_LINK_DOWN_REBOOT_REQUESTED, "reason: reboot requested");
    gateway_sends(SND_FRAME_HELLO_ACK, "010400000F");
    CHECK(snd_link_is_up(&link_), "relinked");

    /* Silence (section 5): the device does not ping after K (the gateway does), pings after 2K, lost after 3K. */
    drain();
    F.now += 15000; snd_link_poll(&link_); drain();
    CHECK(S.count == 0, "no device ping after K: the gateway pings first");
    F.now += 15000; snd_link_poll(&link_); drain();
    CHECK(S.count == 1 && S.types[0] == SND_FRAME_LINK_PING, "device pings a gateway silent for 2K");
    F.now += 5000; snd_link_poll(&link_); drain();
    CHECK(S.count == 0, "one ping per K");
    gateway_sends(SND_FRAME_LINK_PONG, "-");
    F.now += 40000; snd_link_poll(&link_); drain();
    CHECK(snd_link_is_up(&link_), "the PONG counted as a sign of life");
    F.now += 5000; snd_link_poll(&link_); drain();
    CHECK(!snd_link_is_up(&link_) && S.count == 1 && S.types[0] == SND_FRAME_HELLO, "silence for 3K: lost, re-hello");
    i = last_event(SND_EV_LINK_DOWN);
    CHECK(i >= 0 && F.events[i].u.link_down.reason == SND_LINK_DOWN_SILENCE, "reason: silence");

    /* Version mismatch: named reason, the gateway range, and no more HELLO until the application asks. */
    gateway_sends(SND_FRAME_REJECT, "010203");
    i = last_event(SND_EV_REJECTED);
    CHECK(i >= 0 && F.events[i].u.rejected.reason == SND_REJECT_UNSUPPORTED_VERSION &&
          F.events[i].u.rejected.gateway_min == 2 && F.events[i].u.rejected.gateway_max == 3, "reject");
    F.now += 60000; snd_link_poll(&link_); drain();
    CHECK(S.count == 0, "no HELLO retries after REJECT");
    CHECK(snd_link_hello(&link_) == SND_OK, "the application may say HELLO again");
}

static void test_oversize_refused(void) {
    uint8_t big[300];
    size_t cap;
    memset(big, 'x', sizeof big);
    start_link();
    gateway_sends(SND_FRAME_HELLO_ACK, "010040000F"); /* gateway max 64 */
    CHECK(snd_link_tx_area(&link_, &cap) != 0 && cap == 61, "tx area capped at the link maximum");
    CHECK(snd_link_send(&link_, SND_FRAME_MQTTSN, big, 62) == SND_ERR_OVERSIZE, "link max enforced");
    CHECK(snd_link_send(&link_, SND_FRAME_MQTTSN, big, 61) == SND_OK, "link max reachable");
}

static void test_raw_and_manual(void) {
    static const uint8_t connack_then_publish[] = {0x03, 0x05, 0x00, 0x08, 0x0C, 0x60, 0x00, 0x05, 0x00, 0x00, 0x68};
    snd_link_config cfg = link_config();
    memset(&F, 0, sizeof F);
    cfg.raw_mqttsn = 1;
    CHECK(snd_link_init(&link_, &cfg) == SND_OK && F.wire_len == 0, "raw mode sends no HELLO");
    CHECK(snd_link_send(&link_, SND_FRAME_MQTTSN, (const uint8_t *)"\x02\x16", 2) == SND_OK && F.wire_len == 2 &&
          F.wire[0] == 0x02 && F.wire[1] == 0x16, "raw PINGREQ");
    snd_link_feed(&link_, (const uint8_t *)"\x00", 1); /* not a valid length: skipped */
    snd_link_feed(&link_, connack_then_publish, sizeof connack_then_publish);
    CHECK(F.payload_count == 2 && F.payload_lens[0] == 3 && F.payload_lens[1] == 8, "raw messages split by length");

    memset(&F, 0, sizeof F);
    cfg.raw_mqttsn = 0;
    cfg.manual_hello = 1;
    CHECK(snd_link_init(&link_, &cfg) == SND_OK && F.wire_len == 0, "manual hello: silent at init");
    F.now += 5000;
    snd_link_poll(&link_);
    CHECK(F.wire_len == 0, "manual hello: no retries before the first hello");
    CHECK(snd_link_hello(&link_) == SND_OK && F.wire_len > 0, "manual hello sent");
}

int main(int argc, char **argv) {
    run_vectors(argc > 1 ? argv[1] : "vectors/vectors.txt");
    test_console_and_noise();
    test_link();
    test_oversize_refused();
    test_raw_and_manual();
    return summary("link");
}
