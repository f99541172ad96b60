/* Host tests of the MQTT-SN client alone (built without the link or the codec), over a fake snd_client_io that
   records every message and can refuse to send like a link that is down. */
#include "snd_client.h"
#include "check.h"

typedef struct fake {
    uint32_t now;
    int link_up;
    size_t cap;
    uint8_t area[300];
    uint8_t sent[64][300];
    size_t sent_len[64];
    int sent_count;
    snd_event events[64];
    char topics[64][160];
    int event_count;
} fake;

static fake F;
static snd_client client;
static uint8_t pending[64];
static uint8_t topic_storage[SND_TOPIC_STORAGE_SIZE(4, SND_TOPIC_NAME_DEFAULT)];

static uint8_t *io_area(void *ctx, size_t *cap) { (void)ctx; *cap = F.cap; return F.area; }
static int io_send(void *ctx, size_t len) {
    (void)ctx;
    if (!F.link_up) return SND_ERR_NOT_LINKED;
    if (F.sent_count < 64) {
        memcpy(F.sent[F.sent_count], F.area, len);
        F.sent_len[F.sent_count++] = len;
    }
    return SND_OK;
}
static uint32_t io_millis(void *ctx) { (void)ctx; return F.now; }
static void on_event(void *ctx, const snd_event *ev) {
    const char *topic = 0;
    (void)ctx;
    if (F.event_count >= 64) return;
    if (ev->type == SND_EV_ABANDONED) topic = ev->u.abandoned.topic;
    if (ev->type == SND_EV_REGACK || ev->type == SND_EV_SUBACK) topic = ev->u.ack.topic;
    if (ev->type == SND_EV_REGISTER) topic = ev->u.registered.topic;
    snprintf(F.topics[F.event_count], sizeof F.topics[0], "%s", topic ? topic : "");
    F.events[F.event_count++] = *ev;
}

static void start(uint8_t name_max) {
    snd_client_config cfg;
    memset(&F, 0, sizeof F);
    F.link_up = 1;
    F.cap = 253;
    memset(&cfg, 0, sizeof cfg);
    cfg.io.tx_area = io_area;
    cfg.io.send = io_send;
    cfg.io.millis = io_millis;
    cfg.on_event = on_event;
    cfg.pending_buf = pending;
    cfg.pending_size = sizeof pending;
    cfg.topic_storage = topic_storage;
    cfg.topic_count = 4;
    cfg.topic_name_max = name_max;
    CHECK(snd_client_init(&client, &cfg) == SND_OK, "init");
}

static void gateway_sends(const char *hex) {
    uint8_t m[300];
    snd_client_received(&client, m, unhex(hex, m, sizeof m));
}

static int last_event(snd_event_type type) {
    int i;
    for (i = F.event_count - 1; i >= 0; i--) if (F.events[i].type == type) return i;
    return -1;
}

static int count_events(snd_event_type type) {
    int i, n = 0;
    for (i = 0; i < F.event_count; i++) n += F.events[i].type == type;
    return n;
}

static void run_timers_for(uint32_t ms) {
    uint32_t end = F.now + ms;
    while (F.now < end) {
        F.now += 100;
        snd_client_poll(&client);
    }
}

static void connected(void) {
    CHECK(snd_client_connect(&client, "dev1", 60, 1) == SND_OK, "connect");
    CHECK(F.sent_len[F.sent_count - 1] == 10 && !memcmp(F.sent[F.sent_count - 1], "\x0a\x04\x04\x01\x00\x3c" "dev1", 10),
          "CONNECT bytes match vector mqttsn-connect");
    gateway_sends("030500");
    CHECK(client.state == SND_CLIENT_CONNECTED, "connected");
}

static void test_basics(void) {
    int i, id;
    start(0);
    connected();
    id = snd_client_register(&client, "home/temp");
    CHECK(id == 1 && F.sent_count == 2 && !memcmp(F.sent[1], "\x0f\x0a\x00\x00\x00\x01" "home/temp", 15), "REGISTER");
    gateway_sends("070B0007000100");
    i = last_event(SND_EV_REGACK);
    CHECK(i >= 0 && F.events[i].u.ack.topic_id == 7 && !strcmp(F.topics[i], "home/temp"), "regack with topic");
    CHECK(snd_client_topic_id(&client, "home/temp") == 7, "topic remembered");
    CHECK(!strcmp(snd_client_topic_name(&client, 7), "home/temp"), "name of id 7");

    id = snd_client_publish(&client, 7, 0, 1, 0, (const uint8_t *)"21.5", 4);
    CHECK(id == 2 && F.sent_len[2] == 11 && !memcmp(F.sent[2], "\x0b\x0c\x20\x00\x07\x00\x02" "21.5", 11),
          "PUBLISH QoS 1 bytes match vector mqttsn-publish-qos1 (msg id 2)");
    F.now += SND_RETRY_MS; snd_client_poll(&client);
    CHECK(F.sent_count == 4 && F.sent[3][2] == (0x20 | 0x80), "retry with DUP");
    CHECK(snd_client_publish(&client, 7, 0, 1, 0, (const uint8_t *)"x", 1) == SND_ERR_BUSY, "one QoS 1 in flight");
    gateway_sends("070D0007000200");
    i = last_event(SND_EV_PUBACK);
    CHECK(i >= 0 && F.events[i].u.ack.msg_id == 2 && F.events[i].u.ack.rc == SND_RC_ACCEPTED, "puback matched");
    run_timers_for(3 * SND_RETRY_MS);
    CHECK(F.sent_count == 4, "no retry after PUBACK");

    /* QoS 1 without an answer is abandoned after SND_RETRY_COUNT retransmissions. */
    id = snd_client_publish(&client, 7, 0, 1, 0, (const uint8_t *)"1", 1);
    run_timers_for((SND_RETRY_COUNT + 1) * SND_RETRY_MS);
    i = last_event(SND_EV_ABANDONED);
    CHECK(i >= 0 && F.events[i].u.abandoned.request == SND_REQUEST_PUBLISH &&
          F.events[i].u.abandoned.reason == SND_ABANDONED_TIMEOUT && F.events[i].u.abandoned.msg_id == id &&
          F.events[i].u.abandoned.topic_id == 7, "publish abandoned with its id and topic");
    CHECK(F.sent_count == 5 + (int)SND_RETRY_COUNT, "exactly SND_RETRY_COUNT retransmissions");
    CHECK(snd_client_publish(&client, 7, 0, 1, 0, (const uint8_t *)"2", 1) > 0, "the next QoS 1 goes");

    CHECK(snd_client_publish(&client, 5, 1, -1, 0, (const uint8_t *)"on", 2) == 0, "QoS -1");
    CHECK(F.sent[F.sent_count - 1][2] == 0x61, "QoS -1 flags with predefined id");
    CHECK(snd_client_publish(&client, 5, 0, -1, 0, (const uint8_t *)"on", 2) == SND_ERR_ARGUMENT,
          "QoS -1 needs a predefined id or short name");

    /* The gateway registers a topic, then publishes on it (QoS 1: acknowledged). */
    F.sent_count = 0;
    gateway_sends("0D0A0009002A636D642F6C6564");
    CHECK(F.sent_count == 1 && !memcmp(F.sent[0], "\x07\x0b\x00\x09\x00\x2a\x00", 7), "REGACK answered");
    i = last_event(SND_EV_REGISTER);
    CHECK(i >= 0 && F.events[i].u.registered.status == SND_OK && !strcmp(F.topics[i], "cmd/led"), "register event");
    gateway_sends("090C20000900056F6E");
    i = last_event(SND_EV_PUBLISH);
    CHECK(i >= 0 && F.events[i].u.publish.topic_id == 9 && F.events[i].u.publish.qos == 1 &&
          F.events[i].u.publish.len == 2 && !strcmp(F.events[i].u.publish.topic, "cmd/led"), "incoming publish");
    CHECK(F.sent_count == 2 && !memcmp(F.sent[1], "\x07\x0d\x00\x09\x00\x05\x00", 7), "PUBACK for QoS 1");

    /* Incoming QoS 2: PUBREC, then PUBCOMP for PUBREL. */
    F.sent_count = 0;
    gateway_sends("070C4000090007");
    gateway_sends("04100007");
    CHECK(F.sent_count == 2 && !memcmp(F.sent[0], "\x04\x0f\x00\x07", 4) && !memcmp(F.sent[1], "\x04\x0e\x00\x07", 4),
          "QoS 2 handshake");

    /* Incoming message in the 3-byte length form; a wrong length field is dropped. */
    gateway_sends("0100090C6000050000");
    i = last_event(SND_EV_PUBLISH);
    CHECK(i >= 0 && F.events[i].u.publish.topic_id == 5 && F.events[i].u.publish.qos == -1 &&
          F.events[i].u.publish.len == 0, "3-byte length field decoded, QoS -1 typed as -1");
    i = F.event_count;
    gateway_sends("0A0C6000050000");
    CHECK(F.event_count == i, "length field mismatch dropped");

    /* Sleep and wake. */
    F.sent_count = 0;
    CHECK(snd_client_disconnect(&client, 30) == SND_OK && client.state == SND_CLIENT_ASLEEP, "sleep");
    CHECK(snd_client_wake(&client) == SND_OK, "wake");
    CHECK(F.sent_len[0] == 4 && !memcmp(F.sent[0], "\x04\x18\x00\x1e", 4), "DISCONNECT with duration");
    CHECK(F.sent_len[1] == 6 && !memcmp(F.sent[1], "\x06\x16" "dev1", 6), "PINGREQ with client id");

    /* Encapsulated messages: ctrl is ignored on receipt, sent as 0x00. */
    gateway_sends("05FE03002A030500");
    i = last_event(SND_EV_FORWARDED);
    CHECK(i >= 0 && F.events[i].u.forwarded.node_id_len == 2 && F.events[i].u.forwarded.len == 3, "forwarded to node");
    F.sent_count = 0;
    CHECK(snd_client_send_forwarded(&client, (const uint8_t *)"\x00\x2a", 2, (const uint8_t *)"\x02\x16", 2) == SND_OK &&
          F.sent_len[0] == 7 && !memcmp(F.sent[0], "\x05\xfe\x00\x00\x2a\x02\x16", 7), "encapsulated bytes, ctrl 00");

    /* The largest message fills the transport; one more byte is refused, not cut. */
    {
        uint8_t payload[249];
        memset(payload, 'p', sizeof payload);
        F.sent_count = 0;
        CHECK(snd_client_publish(&client, 9, 0, 0, 0, payload, 246) == 0 && F.sent_len[0] == 253, "largest publish");
        CHECK(snd_client_publish(&client, 9, 0, 0, 0, payload, 247) == SND_ERR_OVERSIZE, "oversize publish refused");
    }
}

static void test_will(void) {
    start(0);
    snd_client_set_will(&client, "dev/status", (const uint8_t *)"gone", 4, 1, 1);
    CHECK(snd_client_connect(&client, "dev1", 60, 1) == SND_OK, "connect with will");
    CHECK(F.sent[0][2] == 0x0C, "CONNECT flags: will and clean session");
    gateway_sends("0206");
    gateway_sends("0208");
    CHECK(F.sent_count == 3 && F.sent_len[1] == 13 && !memcmp(F.sent[1], "\x0d\x07\x30" "dev/status", 13), "WILLTOPIC");
    CHECK(F.sent_len[2] == 6 && !memcmp(F.sent[2], "\x06\x09" "gone", 6), "WILLMSG");
}

/* A lost REGACK: REGISTER is sent again (same msg id), then abandoned; snd_client_register works again after. */
static void test_lost_regack(void) {
    int i, id;
    start(0);
    connected();
    F.sent_count = 0;
    id = snd_client_register(&client, "home/temp");
    CHECK(snd_client_register(&client, "home/other") == SND_ERR_BUSY, "one REGISTER in flight");
    F.now += SND_RETRY_MS; snd_client_poll(&client);
    CHECK(F.sent_count == 2 && F.sent_len[1] == F.sent_len[0] && !memcmp(F.sent[1], F.sent[0], F.sent_len[0]),
          "REGISTER retransmitted as it was");
    /* The REGACK of the retransmission arrives: accepted. */
    gateway_sends("070B0007000100");
    CHECK(snd_client_topic_id(&client, "home/temp") == 7, "registered after one retransmission");
    run_timers_for(5 * SND_RETRY_MS);
    CHECK(F.sent_count == 2 && count_events(SND_EV_ABANDONED) == 0, "nothing more after the REGACK");

    F.sent_count = 0;
    id = snd_client_register(&client, "home/hum");
    run_timers_for((SND_RETRY_COUNT + 1) * SND_RETRY_MS);
    CHECK(F.sent_count == 1 + (int)SND_RETRY_COUNT, "REGISTER sent 1 + SND_RETRY_COUNT times");
    i = last_event(SND_EV_ABANDONED);
    CHECK(i >= 0 && F.events[i].u.abandoned.request == SND_REQUEST_REGISTER &&
          F.events[i].u.abandoned.reason == SND_ABANDONED_TIMEOUT && F.events[i].u.abandoned.msg_id == id &&
          !strcmp(F.topics[i], "home/hum"), "REGISTER abandoned with its name");
    CHECK(snd_client_topic_id(&client, "home/hum") == 0, "not registered");
    /* A late REGACK for the abandoned id changes nothing. */
    gateway_sends("070B0008000200");
    CHECK(snd_client_topic_id(&client, "home/hum") == 0, "late REGACK ignored");
    id = snd_client_register(&client, "home/hum");
    CHECK(id > 0, "register works again after the give-up");
    {
        char ack[32];
        snprintf(ack, sizeof ack, "070B0008%04X00", id);
        gateway_sends(ack);
    }
    CHECK(snd_client_topic_id(&client, "home/hum") == 8, "registered on the second try");
    /* A refused REGISTER frees its slot. */
    id = snd_client_register(&client, "home/refused");
    {
        char ack[32];
        snprintf(ack, sizeof ack, "070B0000%04X02", id);
        gateway_sends(ack);
    }
    i = last_event(SND_EV_REGACK);
    CHECK(i >= 0 && F.events[i].u.ack.rc == SND_RC_INVALID_TOPIC_ID && !strcmp(F.topics[i], "home/refused"),
          "refusal reported with the name");
    CHECK(snd_client_topic_id(&client, "home/refused") == 0, "refused topic not remembered");
}

/* A lost SUBACK: SUBSCRIBE again with DUP, then abandoned; snd_client_subscribe works again after. */
static void test_lost_suback(void) {
    static const char filter[] = "cmd/#";
    int i, id;
    start(0);
    connected();
    F.sent_count = 0;
    id = snd_client_subscribe(&client, filter, 1);
    CHECK(id > 0 && F.sent[0][1] == 0x12 && F.sent[0][2] == 0x20, "SUBSCRIBE");
    CHECK(snd_client_subscribe(&client, "other", 0) == SND_ERR_BUSY, "one SUBSCRIBE in flight");
    run_timers_for((SND_RETRY_COUNT + 1) * SND_RETRY_MS);
    CHECK(F.sent_count == 1 + (int)SND_RETRY_COUNT, "SUBSCRIBE sent 1 + SND_RETRY_COUNT times");
    CHECK(F.sent[1][2] == (0x80 | 0x20) && !memcmp(F.sent[1] + 3, F.sent[0] + 3, F.sent_len[0] - 3),
          "retransmission has DUP, the same msg id and filter");
    i = last_event(SND_EV_ABANDONED);
    CHECK(i >= 0 && F.events[i].u.abandoned.request == SND_REQUEST_SUBSCRIBE && F.events[i].u.abandoned.msg_id == id &&
          !strcmp(F.topics[i], "cmd/#"), "SUBSCRIBE abandoned with its filter");
    id = snd_client_subscribe(&client, "cmd/led", 1);
    CHECK(id > 0, "subscribe works again");
    {
        char ack[32];
        snprintf(ack, sizeof ack, "0813200009%04X00", id);
        gateway_sends(ack);
    }
    i = last_event(SND_EV_SUBACK);
    CHECK(i >= 0 && F.events[i].u.ack.topic_id == 9 && !strcmp(F.topics[i], "cmd/led"), "suback with its topic");
    CHECK(snd_client_topic_id(&client, "cmd/led") == 9, "exact filter remembered with its id");
}

/* The link goes down with a REGISTER, a SUBSCRIBE and a QoS 1 PUBLISH in flight: all abandoned, client reset. */
static void test_link_down_mid_register(void) {
    int i, reg, sub, pub;
    start(0);
    connected();
    gateway_sends("070B0007000100"); /* stray REGACK: ignored, nothing in flight */
    reg = snd_client_register(&client, "home/temp");
    sub = snd_client_subscribe(&client, "cmd/#", 1);
    pub = snd_client_publish(&client, 3, 1, 1, 0, (const uint8_t *)"x", 1);
    CHECK(reg > 0 && sub > 0 && pub > 0, "three requests in flight");
    F.link_up = 0;
    snd_client_link_down(&client);
    CHECK(client.state == SND_CLIENT_IDLE, "client reset");
    CHECK(count_events(SND_EV_ABANDONED) == 3, "each request abandoned once");
    for (i = 0; i < F.event_count; i++) {
        if (F.events[i].type == SND_EV_ABANDONED)
            CHECK(F.events[i].u.abandoned.reason == SND_ABANDONED_LINK_DOWN, "reason link down");
    }
    CHECK(snd_client_topic_id(&client, "home/temp") == 0 && !snd_client_topic_name(&client, 0), "slot released");
    i = F.sent_count;
    run_timers_for(10 * SND_RETRY_MS);
    CHECK(F.sent_count == i && count_events(SND_EV_ABANDONED) == 3, "no retransmission after link loss");
    CHECK(snd_client_register(&client, "home/temp") == SND_ERR_NOT_LINKED, "link still down: refused, not busy");
    CHECK(snd_client_topic_id(&client, "home/temp") == 0 && client.reg.msg_id == 0, "nothing left in flight");
    F.link_up = 1;
    connected();
    CHECK(snd_client_register(&client, "home/temp") > 0, "register after relink");
}

/* Topic names up to the configured length; beyond it a specific error, locally and for the gateway's REGISTER. */
static void test_long_topics(void) {
    char topic[200], hex[600];
    size_t k;
    int i;
    start(0); /* SND_TOPIC_NAME_DEFAULT: 128 */
    connected();
    memset(topic, 'a', sizeof topic);
    memcpy(topic, "homeassistant/sensor/", 21);
    topic[128] = 0;
    CHECK(snd_client_register(&client, topic) > 0, "128-character topic registers");
    topic[128] = 'b';
    topic[129] = 0;
    CHECK(snd_client_register(&client, topic) == SND_ERR_TOPIC_TOO_LONG, "129 characters: SND_ERR_TOPIC_TOO_LONG");
    CHECK(snd_client_subscribe(&client, topic, 1) == SND_ERR_TOPIC_TOO_LONG, "subscribe too: SND_ERR_TOPIC_TOO_LONG");
    CHECK(strcmp(snd_status_text(SND_ERR_TOPIC_TOO_LONG), snd_status_text(SND_ERR_NO_ROOM)) != 0,
          "the two errors read differently");

    /* The gateway registers a name that is too long: REGACK 0x03 (not supported) and an event saying why. */
    F.sent_count = 0;
    k = (size_t)snprintf(hex, sizeof hex, "%02X0A000A0033", (unsigned)(6 + 129));
    for (i = 0; i < 129; i++) k += (size_t)snprintf(hex + k, sizeof hex - k, "61");
    gateway_sends(hex);
    CHECK(F.sent_count == 1 && !memcmp(F.sent[0], "\x07\x0b\x00\x0a\x00\x33\x03", 7), "REGACK rc 0x03");
    i = last_event(SND_EV_REGISTER);
    CHECK(i >= 0 && F.events[i].u.registered.status == SND_ERR_TOPIC_TOO_LONG && F.events[i].u.registered.topic_id == 10,
          "event names the limit");

    /* A smaller table: 40 characters; a full table reads "no room", not "too long". */
    start(40);
    connected();
    CHECK(snd_client_register(&client, "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u") == SND_ERR_TOPIC_TOO_LONG,
          "41 characters over a 40-character table");
    gateway_sends("070A0001000161");
    gateway_sends("070A0002000262");
    gateway_sends("070A0003000363");
    gateway_sends("070A0004000464");
    F.sent_count = 0;
    gateway_sends("070A0005000565");
    CHECK(F.sent_count == 1 && F.sent[0][6] == SND_RC_CONGESTION, "table full: REGACK congestion");
    i = last_event(SND_EV_REGISTER);
    CHECK(i >= 0 && F.events[i].u.registered.status == SND_ERR_NO_ROOM, "event: no room");
    CHECK(snd_client_register(&client, "f") == SND_ERR_NO_ROOM, "local register: no room");
}

/* A clean CONNECT forgets registrations; PUBACK 0x02 (invalid topic id) forgets the id so it is registered again. */
static void test_session_changes(void) {
    start(0);
    connected();
    snd_client_register(&client, "home/temp");
    gateway_sends("070B0007000100");
    CHECK(snd_client_topic_id(&client, "home/temp") == 7, "registered");
    snd_client_connect(&client, "dev1", 60, 0);
    gateway_sends("030500");
    CHECK(snd_client_topic_id(&client, "home/temp") == 7, "clean 0: kept");
    snd_client_publish(&client, 7, 0, 0, 0, (const uint8_t *)"1", 1);
    gateway_sends("070D0007000002");
    CHECK(snd_client_topic_id(&client, "home/temp") == 0, "PUBACK invalid topic id: forgotten");
    snd_client_register(&client, "home/temp");
    gateway_sends("070B0009000200");
    CHECK(snd_client_topic_id(&client, "home/temp") == 9, "registered again");
    snd_client_connect(&client, "dev1", 60, 1);
    CHECK(snd_client_topic_id(&client, "home/temp") == 0, "clean 1: forgotten");
}

int main(void) {
    test_basics();
    test_will();
    test_lost_regack();
    test_lost_suback();
    test_link_down_mid_register();
    test_long_topics();
    test_session_changes();
    return summary("client");
}
