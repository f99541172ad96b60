/*
 * snbridge-simdevice: the reference device library on a tty, driven by line commands on stdin.
 *
 *   snbridge-simdevice [--no-hello] [--raw] [--banner] [--baud N] [--id HEX] [--max-frame N]
 *                      [--versions MIN-MAX] [--name TEXT] <tty>
 *
 * Every command and every thing that happens prints one event line on stdout (flushed), so tests and the demo
 * can follow the device. Commands and events are listed in ../README.md.
 */
#define _GNU_SOURCE
#include "snbridge_device.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAME 1024

static int tty = -1;
static int frozen; /* `freeze`: a hung firmware, reading nothing and running no timers */
static snd_device dev;
static uint8_t rx_buf[SND_RX_BUF_SIZE(MAX_FRAME)], tx_buf[SND_TX_BUF_SIZE(MAX_FRAME)], pending_buf[512];
static uint8_t topics[SND_TOPIC_STORAGE_SIZE(16, SND_TOPIC_NAME_DEFAULT)];
static char subscribe_filter[256]; /* kept for retransmissions until SUBACK */
static int corrupt_next; /* `corrupt-next`: flip a CRC bit in the next frame written */

/* A PUBLISH waiting for the REGACK of its topic. */
static struct {
    int active;
    char topic[256];
    int qos;
    uint8_t payload[512];
    size_t len;
} queued;

static void event(const char *format, ...) {
    va_list args;
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    putchar('\n');
    fflush(stdout);
}

static void write_all(const uint8_t *bytes, size_t len) {
    while (len) {
        ssize_t n = write(tty, bytes, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                struct pollfd p = {tty, POLLOUT, 0};
                poll(&p, 1, 100);
                continue;
            }
            event("error write %s", strerror(errno));
            return;
        }
        bytes += n;
        len -= (size_t)n;
    }
}

/* `corrupt-next` lives here, outside the library: the frame is decoded, its CRC low bit flipped, and re-encoded. */
static void write_corrupted(const uint8_t *bytes, size_t len) {
    static uint8_t frame[MAX_FRAME + 8], wire[SND_TX_BUF_SIZE(MAX_FRAME) + 8];
    long n = len > 2 ? snd_cobs_decode(bytes + 1, len - 2, frame, sizeof frame) : -1;
    size_t m;
    if (n < 3) {
        write_all(bytes, len);
        return;
    }
    frame[n - 1] ^= 0x01;
    wire[0] = 0;
    m = snd_cobs_encode(frame, (size_t)n, wire + 1, sizeof wire - 2);
    wire[m + 1] = 0;
    write_all(wire, m + 2);
}

static void port_write(void *ctx, const uint8_t *bytes, size_t len) {
    (void)ctx;
    if (corrupt_next && !dev.link.cfg.raw_mqttsn) {
        corrupt_next = 0;
        write_corrupted(bytes, len);
        return;
    }
    write_all(bytes, len);
}

static uint32_t port_millis(void *ctx) {
    struct timespec ts;
    (void)ctx;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

/* Payloads are printed as text when printable, otherwise as hex prefixed with 0x. */
static void printable(const uint8_t *data, size_t len, char *out, size_t cap) {
    size_t i, n = 0;
    int text = 1;
    for (i = 0; i < len; i++) if (!isprint(data[i])) text = 0;
    if (text) {
        for (i = 0; i < len && n + 1 < cap; i++) out[n++] = (char)data[i];
    } else {
        n += (size_t)snprintf(out, cap, "0x");
        for (i = 0; i < len && n + 3 < cap; i++) n += (size_t)snprintf(out + n, cap - n, "%02X", data[i]);
    }
    out[n] = 0;
}

static void flush_queued(void);

static const char *request_name(snd_request_kind kind) {
    return kind == SND_REQUEST_REGISTER ? "register" : kind == SND_REQUEST_SUBSCRIBE ? "subscribe" : "publish";
}

static void on_event(void *ctx, const snd_event *ev) {
    char text[1200];
    (void)ctx;
    switch (ev->type) {
    case SND_EV_LINK_UP:
        event("linked %u %u %u", ev->u.link_up.version, ev->u.link_up.keepalive_s, ev->u.link_up.max_frame);
        break;
    case SND_EV_REJECTED:
        event("rejected %d %u %u", ev->u.rejected.reason, ev->u.rejected.gateway_min, ev->u.rejected.gateway_max);
        break;
    case SND_EV_LINK_DOWN:
        event("link-down %s", ev->u.link_down.reason == SND_LINK_DOWN_SILENCE ? "silence"
                              : ev->u.link_down.reason == SND_LINK_DOWN_RESET ? "reset" : "reboot-requested");
        break;
    case SND_EV_FRAME_ERROR: event("frame-error %s", snd_status_text(ev->u.frame_error.status)); break;
    case SND_EV_CONSOLE:
        printable(ev->u.bytes.data, ev->u.bytes.len, text, sizeof text);
        event("console-from-gw %s", text);
        break;
    case SND_EV_CONNACK: event("connack %d", ev->u.connack.rc); break;
    case SND_EV_WILL_REQUESTED: event("will-requested"); break;
    case SND_EV_REGACK:
        event("regack %s %u %d", ev->u.ack.topic ? ev->u.ack.topic : "?", ev->u.ack.topic_id, ev->u.ack.rc);
        flush_queued();
        break;
    case SND_EV_PUBACK: event("puback %u %d", ev->u.ack.msg_id, ev->u.ack.rc); break;
    case SND_EV_SUBACK: event("suback %u %u %d", ev->u.ack.topic_id, ev->u.ack.qos, ev->u.ack.rc); break;
    case SND_EV_ABANDONED:
        /* `publish-timeout <msgid>` is kept for QoS 1 PUBLISH, the line tests and the demo already know. */
        if (ev->u.abandoned.request == SND_REQUEST_PUBLISH && ev->u.abandoned.reason == SND_ABANDONED_TIMEOUT) {
            event("publish-timeout %u", ev->u.abandoned.msg_id);
        } else {
            event("abandoned %s %u %s %s", request_name(ev->u.abandoned.request), ev->u.abandoned.msg_id,
                  ev->u.abandoned.reason == SND_ABANDONED_TIMEOUT ? "timeout" : "link-down",
                  ev->u.abandoned.topic ? ev->u.abandoned.topic : "-");
        }
        if (ev->u.abandoned.request == SND_REQUEST_REGISTER) queued.active = 0;
        break;
    case SND_EV_PUBLISH:
        printable(ev->u.publish.data, ev->u.publish.len, text, sizeof text);
        event("message %u %d %s", ev->u.publish.topic_id, ev->u.publish.qos, text);
        break;
    case SND_EV_REGISTER:
        if (ev->u.registered.status == SND_OK) {
            event("register-from-gw %u %s", ev->u.registered.topic_id, ev->u.registered.topic);
        } else {
            event("register-from-gw-refused %u %s", ev->u.registered.topic_id, snd_status_text(ev->u.registered.status));
        }
        break;
    case SND_EV_PINGRESP: event("pingresp"); break;
    case SND_EV_DISCONNECT: event("disconnected"); break;
    case SND_EV_FORWARDED: {
        char node[40];
        size_t i, n = 0;
        for (i = 0; i < ev->u.forwarded.node_id_len; i++)
            n += (size_t)snprintf(node + n, sizeof node - n, "%02X", ev->u.forwarded.node_id[i]);
        node[n] = 0;
        n = 0;
        for (i = 0; i < ev->u.forwarded.len && n + 3 < sizeof text; i++)
            n += (size_t)snprintf(text + n, sizeof text - n, "%02X", ev->u.forwarded.data[i]);
        text[n] = 0;
        event("forwarded %s %s", node, text);
        break;
    }
    case SND_EV_MQTTSN_OTHER: {
        size_t i, n = 0;
        for (i = 0; i < ev->u.bytes.len && n + 3 < sizeof text; i++)
            n += (size_t)snprintf(text + n, sizeof text - n, "%02X", ev->u.bytes.data[i]);
        text[n] = 0;
        event("mqttsn %s", text);
        break;
    }
    case SND_EV_LINK_PONG: event("link-pong"); break;
    }
}

static size_t unhex(const char *hex, uint8_t *out, size_t cap) {
    size_t n = 0;
    while (isxdigit((unsigned char)hex[0]) && isxdigit((unsigned char)hex[1]) && n < cap) {
        unsigned v;
        sscanf(hex, "%2x", &v);
        out[n++] = (uint8_t)v;
        hex += 2;
        while (*hex == ' ') hex++;
    }
    return n;
}

static void report(const char *what, int rc) {
    if (rc < 0) event("error %s %s", what, snd_status_text(rc));
}

static void publish_now(const char *topic, int qos, const uint8_t *payload, size_t len) {
    uint16_t id = snd_client_topic_id(&dev.client, topic);
    int rc = snd_client_publish(&dev.client, id, 0, qos, 0, payload, len);
    if (rc < 0) report("publish", rc);
    else event("published %s %d %d", topic, qos, rc);
}

static void flush_queued(void) {
    if (!queued.active || snd_client_topic_id(&dev.client, queued.topic) == 0) return;
    queued.active = 0;
    publish_now(queued.topic, queued.qos, queued.payload, queued.len);
}

/* `rawsn` before the link is up: tests see how the gateway treats early MQTTSN frames, so frame it by hand. */
static int send_unlinked(const uint8_t *msg, size_t len) {
    static uint8_t wire[SND_TX_BUF_SIZE(MAX_FRAME) + 8];
    size_t n = snd_frame_encode(SND_FRAME_MQTTSN, msg, len, wire, sizeof wire);
    if (n == 0) return SND_ERR_OVERSIZE;
    port_write(0, wire, n);
    return SND_OK;
}

static int command(char *line) {
    char *cmd = strtok(line, " "), *rest = strtok(0, "");
    char a[256], b[256], c[600];
    uint8_t bytes[1100];
    int n;
    if (!cmd) return 1;
    if (!rest) rest = "";
    a[0] = b[0] = c[0] = 0;
    if (!strcmp(cmd, "quit")) return 0;
    if (!strcmp(cmd, "console")) {
        write_all((const uint8_t *)rest, strlen(rest));
        write_all((const uint8_t *)"\r\n", 2);
    } else if (!strcmp(cmd, "garbage")) {
        write_all(bytes, unhex(rest, bytes, sizeof bytes));
    } else if (!strcmp(cmd, "hello")) {
        report("hello", snd_link_hello(&dev.link));
    } else if (!strcmp(cmd, "connect")) {
        n = sscanf(rest, "%255s %255s %255s", a, b, c);
        if (n < 2) { event("error usage connect <clientid> <keepalive> [clean]"); return 1; }
        report("connect", snd_client_connect(&dev.client, a, (uint16_t)atoi(b), n == 3 && (!strcmp(c, "clean") || !strcmp(c, "1"))));
    } else if (!strcmp(cmd, "will")) {
        static char will_topic[SND_TOPIC_NAME_DEFAULT + 1];
        static uint8_t will_msg[128];
        if (sscanf(rest, "%128s %255s %127[^\n]", will_topic, b, c) < 3) { event("error usage will <topic> <qos> <msg>"); return 1; }
        memcpy(will_msg, c, strlen(c));
        snd_client_set_will(&dev.client, will_topic, will_msg, strlen(c), (uint8_t)atoi(b), 0);
    } else if (!strcmp(cmd, "register")) {
        n = snd_client_register(&dev.client, rest);
        report("register", n);
    } else if (!strcmp(cmd, "publish")) {
        if (sscanf(rest, "%255s %255s %599[^\n]", a, b, c) < 2) { event("error usage publish <topic> <qos> <payload>"); return 1; }
        if (snd_client_topic_id(&dev.client, a)) {
            publish_now(a, atoi(b), (const uint8_t *)c, strlen(c));
        } else if (queued.active) {
            report("publish", SND_ERR_BUSY);
        } else {
            n = snd_client_register(&dev.client, a);
            if (n < 0) { report("register", n); return 1; }
            queued.active = 1;
            snprintf(queued.topic, sizeof queued.topic, "%s", a);
            queued.qos = atoi(b);
            queued.len = strlen(c);
            memcpy(queued.payload, c, queued.len);
        }
    } else if (!strcmp(cmd, "publishid")) {
        if (sscanf(rest, "%255s %255s %599[^\n]", a, b, c) < 2) { event("error usage publishid <id> <qos> <payload>"); return 1; }
        n = snd_client_publish(&dev.client, (uint16_t)atoi(a), 1, atoi(b), 0, (const uint8_t *)c, strlen(c));
        if (n < 0) report("publish", n); else event("published %s %s %d", a, b, n);
    } else if (!strcmp(cmd, "subscribe")) {
        if (sscanf(rest, "%255s %255s", a, b) < 2) { event("error usage subscribe <filter> <qos>"); return 1; }
        snprintf(subscribe_filter, sizeof subscribe_filter, "%s", a);
        report("subscribe", snd_client_subscribe(&dev.client, subscribe_filter, (uint8_t)atoi(b)));
    } else if (!strcmp(cmd, "ping")) {
        report("ping", snd_client_pingreq(&dev.client));
    } else if (!strcmp(cmd, "link-ping")) {
        report("link-ping", snd_link_ping(&dev.link, (const uint8_t *)"sim", 3));
    } else if (!strcmp(cmd, "sleep")) {
        report("sleep", snd_client_disconnect(&dev.client, (uint16_t)atoi(rest)));
    } else if (!strcmp(cmd, "wake")) {
        report("wake", snd_client_wake(&dev.client));
    } else if (!strcmp(cmd, "disconnect")) {
        report("disconnect", snd_client_disconnect(&dev.client, 0));
    } else if (!strcmp(cmd, "freeze")) {
        frozen = 1;
    } else if (!strcmp(cmd, "thaw")) {
        frozen = 0;
    } else if (!strcmp(cmd, "corrupt-next")) {
        corrupt_next = 1;
    } else if (!strcmp(cmd, "rawsn")) {
        /* Deliberately bypasses the "linked" check so tests can see how the gateway treats early traffic. */
        size_t len = unhex(rest, bytes, sizeof bytes);
        if (dev.link.cfg.raw_mqttsn) write_all(bytes, len);
        else report("rawsn", snd_link_is_up(&dev.link) ? snd_client_send_raw(&dev.client, bytes, len)
                                                               : send_unlinked(bytes, len));
    } else if (!strcmp(cmd, "forward")) {
        uint8_t node[16];
        size_t node_len;
        if (sscanf(rest, "%32s %599s", a, c) < 2) { event("error usage forward <nodehex> <msghex>"); return 1; }
        node_len = unhex(a, node, sizeof node);
        report("forward", snd_client_send_forwarded(&dev.client, node, (uint8_t)node_len, bytes, unhex(c, bytes, sizeof bytes)));
    } else {
        event("error unknown command %s", cmd);
    }
    return 1;
}

static speed_t baud_constant(long baud) {
    switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    default: return 0;
    }
}

static int usage(void) {
    fprintf(stderr, "usage: snbridge-simdevice [--no-hello] [--raw] [--banner] [--baud N] [--id HEX] "
                    "[--max-frame N] [--versions MIN-MAX] [--name TEXT] <tty>\n");
    return 2;
}

int main(int argc, char **argv) {
    static uint8_t device_id[16] = {0x5E, 0x1D, 0xEF, 0x1C, 0xE0, 0x01};
    const char *path = 0, *name = "snbridge-simdevice";
    int no_hello = 0, raw = 0, banner = 0, i;
    long baud = 115200, max_frame = 256;
    unsigned vmin = 0, vmax = 0;
    size_t id_len = 6;
    snd_device_config cfg;
    struct termios tio;
    char line[2048];
    size_t line_len = 0;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--no-hello")) no_hello = 1;
        else if (!strcmp(argv[i], "--raw")) raw = 1;
        else if (!strcmp(argv[i], "--banner")) banner = 1;
        else if (!strcmp(argv[i], "--baud") && i + 1 < argc) baud = atol(argv[++i]);
        else if (!strcmp(argv[i], "--max-frame") && i + 1 < argc) max_frame = atol(argv[++i]);
        else if (!strcmp(argv[i], "--id") && i + 1 < argc) id_len = unhex(argv[++i], device_id, sizeof device_id);
        else if (!strcmp(argv[i], "--name") && i + 1 < argc) name = argv[++i];
        else if (!strcmp(argv[i], "--versions") && i + 1 < argc) {
            if (sscanf(argv[++i], "%u-%u", &vmin, &vmax) != 2) return usage();
        } else if (argv[i][0] == '-') return usage();
        else path = argv[i];
    }
    if (!path || !baud_constant(baud) || max_frame < 64 || max_frame > MAX_FRAME || id_len == 0) return usage();

    tty = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (tty < 0) {
        fprintf(stderr, "snbridge-simdevice: %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (tcgetattr(tty, &tio) == 0) {
        cfmakeraw(&tio);
        cfsetispeed(&tio, baud_constant(baud));
        cfsetospeed(&tio, baud_constant(baud));
        tio.c_cflag |= CLOCAL | CREAD;
        tcsetattr(tty, TCSANOW, &tio);
    }
    if (banner) {
        static const uint8_t noise[] = "ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13 "
                                       "(SPI_FAST_FLASH_BOOT)\r\n\xff\xfe\x80\x81 \xc3\x28 load:0x3fff0018,len:4\r\n";
        write_all(noise, sizeof noise - 1u);
    }

    memset(&cfg, 0, sizeof cfg);
    cfg.link.port.write = port_write;
    cfg.link.port.millis = port_millis;
    cfg.link.rx_buf = rx_buf;
    cfg.link.rx_size = sizeof rx_buf;
    cfg.link.tx_buf = tx_buf;
    cfg.link.tx_size = sizeof tx_buf;
    cfg.link.max_frame = (uint16_t)max_frame;
    cfg.link.device_id = device_id;
    cfg.link.device_id_len = (uint8_t)id_len;
    cfg.link.fw_name = name;
    cfg.link.fw_version = "1.0.0";
    cfg.link.raw_mqttsn = (uint8_t)raw;
    cfg.link.manual_hello = (uint8_t)no_hello;
    cfg.link.version_min = (uint8_t)vmin;
    cfg.link.version_max = (uint8_t)vmax;
    cfg.client.pending_buf = pending_buf;
    cfg.client.pending_size = sizeof pending_buf;
    cfg.client.topic_storage = topics;
    cfg.client.topic_count = 16;
    cfg.on_event = on_event;
    event("ready %s", path);
    if (snd_device_init(&dev, &cfg) != SND_OK) {
        event("error init");
        return 1;
    }

    for (;;) {
        struct pollfd fds[2] = {{0, POLLIN, 0}, {tty, frozen ? 0 : POLLIN, 0}};
        int ready = poll(fds, 2, 20);
        if (ready < 0 && errno != EINTR) break;
        if (ready > 0 && !frozen && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            uint8_t buf[512];
            ssize_t n = read(tty, buf, sizeof buf);
            if (n > 0) {
                snd_device_feed(&dev, buf, (size_t)n);
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                /* The other end (the gateway's pty master) went away. */
                event("closed");
                return 0;
            }
        }
        if (ready > 0 && (fds[0].revents & (POLLIN | POLLHUP))) {
            char c;
            ssize_t n = read(0, &c, 1);
            if (n <= 0) break;
            if (c == '\n') {
                line[line_len] = 0;
                if (line_len && line[line_len - 1] == '\r') line[line_len - 1] = 0;
                line_len = 0;
                if (!command(line)) break;
            } else if (line_len + 1 < sizeof line) {
                line[line_len++] = c;
            }
        }
        if (!frozen) snd_device_poll(&dev);
    }
    event("bye");
    close(tty);
    return 0;
}
