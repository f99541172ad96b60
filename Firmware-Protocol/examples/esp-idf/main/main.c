/*
 * snbridge device example for ESP-IDF: an ESP32 on its USB-serial port (UART0) publishing its uptime and free heap
 * to MQTT through snbridge, with ESP_LOG output left on the same UART as console text.
 *
 *     idf.py set-target esp32 && idf.py build flash
 *     snbridge run --serial /dev/ttyUSB0
 *     mosquitto_sub -t 'esp32/#' -v
 *
 * UART0 carries both the frames and the ESP-IDF log: the gateway surfaces log lines as this device's log and
 * never mistakes them for frames. Each frame is written with one uart_write_bytes() call, which the driver does
 * not interleave with other writers.
 */
#include <stdio.h>
#include <string.h>

#include "driver/uart.h"
#include "esp_log.h"
#include "esp_mac.h"
#include "esp_system.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "snbridge_device.h"

#define PORT UART_NUM_0
#define BAUD 115200
#define MAX_FRAME 512

static const char *TAG = "snbridge";

static uint8_t rx_buf[SND_RX_BUF_SIZE(MAX_FRAME)];
static uint8_t tx_buf[SND_TX_BUF_SIZE(MAX_FRAME)];
static uint8_t pending_buf[128];
static snd_topic topics[8];
static snd_device dev;
static uint8_t mac[6];
static char client_id[24];
static char status_topic[48];
static uint16_t status_topic_id;

static void port_write(void *ctx, const uint8_t *bytes, size_t len) {
    (void)ctx;
    uart_write_bytes(PORT, bytes, len);
}

static uint32_t port_millis(void *ctx) {
    (void)ctx;
    return (uint32_t)(esp_timer_get_time() / 1000);
}

static void on_event(void *ctx, const snd_event *ev) {
    (void)ctx;
    switch (ev->type) {
    case SND_EV_LINK_UP:
        ESP_LOGI(TAG, "link up: version %u, keepalive %u s, max frame %u", ev->version, ev->keepalive, ev->max_frame);
        snd_connect(&dev, client_id, 60, 1);
        break;
    case SND_EV_REJECTED:
        ESP_LOGE(TAG, "gateway rejected us: reason %d, it speaks versions %u..%u", ev->rc, ev->qos, ev->version);
        break;
    case SND_EV_CONNACK:
        ESP_LOGI(TAG, "connack %d", ev->rc);
        if (ev->rc == 0) snd_register(&dev, status_topic);
        break;
    case SND_EV_REGACK:
        if (ev->rc == 0 && ev->topic && strcmp(ev->topic, status_topic) == 0) status_topic_id = ev->topic_id;
        break;
    case SND_EV_PUBLISH:
        ESP_LOGI(TAG, "message on topic %u: %.*s", ev->topic_id, (int)ev->len, (const char *)ev->data);
        break;
    case SND_EV_LINK_DOWN:
        ESP_LOGW(TAG, "link down (%d), saying HELLO again", ev->rc);
        status_topic_id = 0;
        break;
    default:
        break;
    }
}

void app_main(void) {
    uart_config_t uart = {
        .baud_rate = BAUD,
        .data_bits = UART_DATA_8_BITS,
        .parity = UART_PARITY_DISABLE,
        .stop_bits = UART_STOP_BITS_1,
        .flow_ctrl = UART_HW_FLOWCTRL_DISABLE,
        .source_clk = UART_SCLK_DEFAULT,
    };
    ESP_ERROR_CHECK(uart_driver_install(PORT, 2048, 2048, 0, NULL, 0));
    ESP_ERROR_CHECK(uart_param_config(PORT, &uart));

    /* The factory MAC is a stable identity across reboots and reflashing. */
    ESP_ERROR_CHECK(esp_efuse_mac_get_default(mac));
    snprintf(client_id, sizeof client_id, "esp32-%02x%02x%02x", mac[3], mac[4], mac[5]);
    snprintf(status_topic, sizeof status_topic, "esp32/%02x%02x%02x/status", mac[3], mac[4], mac[5]);

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
    cfg.device_id = mac;
    cfg.device_id_len = sizeof mac;
    cfg.fw_name = "snbridge-esp-idf-example";
    cfg.fw_version = "1.0.0";
    ESP_ERROR_CHECK(snd_init(&dev, &cfg) == SND_OK ? ESP_OK : ESP_FAIL);

    int64_t last_publish_us = 0;
    for (;;) {
        uint8_t bytes[128];
        int n = uart_read_bytes(PORT, bytes, sizeof bytes, pdMS_TO_TICKS(20));
        if (n > 0) snd_feed(&dev, bytes, (size_t)n);
        snd_poll(&dev);

        int64_t now_us = esp_timer_get_time();
        if (status_topic_id && now_us - last_publish_us >= 10 * 1000 * 1000) {
            last_publish_us = now_us;
            char payload[64];
            int len = snprintf(payload, sizeof payload, "{\"uptime_s\":%lld,\"free_heap\":%lu}",
                               (long long)(now_us / 1000000), (unsigned long)esp_get_free_heap_size());
            int rc = snd_publish(&dev, status_topic_id, 0, 1, 0, (const uint8_t *)payload, (size_t)len);
            if (rc < 0) ESP_LOGW(TAG, "publish: %s", snd_status_text(rc));
        }
    }
}
