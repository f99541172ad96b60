/* Wires a snd_link to a snd_client: MQTTSN payloads go up, client messages go down, one event callback. */
#include "snbridge_device.h"

#include <string.h>

static void deliver(snd_device *dev, const snd_event *ev) {
    if (dev->on_event) dev->on_event(dev->event_ctx, ev);
}

static void link_payload(void *ctx, const uint8_t *msg, size_t len) {
    snd_client_received(&((snd_device *)ctx)->client, msg, len);
}

static void link_event(void *ctx, const snd_event *ev) {
    snd_device *dev = (snd_device *)ctx;
    deliver(dev, ev);
    /* After the application heard why, the client's abandoned requests follow. */
    if (ev->type == SND_EV_LINK_DOWN) snd_client_link_down(&dev->client);
}

static void client_event(void *ctx, const snd_event *ev) { deliver((snd_device *)ctx, ev); }

static uint8_t *io_tx_area(void *ctx, size_t *cap) { return snd_link_tx_area(&((snd_device *)ctx)->link, cap); }

static int io_send(void *ctx, size_t len) {
    return snd_link_send_built(&((snd_device *)ctx)->link, SND_FRAME_MQTTSN, len);
}

static uint32_t io_millis(void *ctx) { return snd_link_millis(&((snd_device *)ctx)->link); }

int snd_device_init(snd_device *dev, const snd_device_config *cfg) {
    snd_link_config link;
    snd_client_config client;
    int rc;
    memset(dev, 0, sizeof *dev);
    if (!cfg) return SND_ERR_ARGUMENT;
    dev->on_event = cfg->on_event;
    dev->event_ctx = cfg->event_ctx;
    client = cfg->client;
    client.io.tx_area = io_tx_area;
    client.io.send = io_send;
    client.io.millis = io_millis;
    client.io.ctx = dev;
    client.on_event = client_event;
    client.event_ctx = dev;
    link = cfg->link;
    link.cb.payload = link_payload;
    link.cb.event = link_event;
    link.cb.ctx = dev;
    /* The client first: the link's HELLO goes out at init and an answer may reach the client at once. */
    rc = snd_client_init(&dev->client, &client);
    if (rc < 0) return rc;
    return snd_link_init(&dev->link, &link);
}

void snd_device_feed(snd_device *dev, const uint8_t *bytes, size_t len) { snd_link_feed(&dev->link, bytes, len); }

void snd_device_poll(snd_device *dev) {
    snd_link_poll(&dev->link);
    snd_client_poll(&dev->client);
}
