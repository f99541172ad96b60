/*
 * snbridge device example for ESP-IDF: an ESP32 on its USB-serial port (UART0) publishing its uptime and free heap
 * to MQTT through snbridge, with ESP_LOG output left on the same UART as console text.
 *
 *     idf.py set-target esp32 && idf.py build flash
 *     snbridge run --serial /dev/ttyUSB0
 *     mosquitto_sub -t 'esp32/#' -v
 *
 * UART0 carries both the frames and the ESP-IDF log: the gateway surfaces log lines as this device's log and
 * never mistakes them for frames (PROTOCOL.md 6.1). Each frame is written with one uart_write_bytes() call, and
 * log_line() below makes every ESP_LOG line one uart_write_bytes() call too; the driver serialises whole calls,
 * so a log line from another task never lands inside a frame. To keep logs off the link altogether, pick
 * USB-Serial-JTAG or another UART as the console instead (menuconfig: Component config > ESP System Settings >
 * Channel for console output) and drop the esp_log_set_vprintf() call.
 */
#include <stdarg.h>
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
static uint8_t topics[SND_TOPIC_STORAGE_SIZE(8, SND_TOPIC_NAME_DEFAULT)];
static snd_device dev;
static uint8_t mac[6];
static char client_id[24];
static char status_topic[48];
static uint16_t status_topic_id;

/* ESP_LOG hands over one whole line per call: format it, then write it with a single driver call. */
static int log_line(const char *format, va_list args) {
    char line[256];
    int n = vsnprintf(line, sizeof line, format, args);
    if (n <= 0) return n;
    if (n >= (int)sizeof line) n = (int)sizeof line - 1;
    uart_write_bytes(PORT, line, (size_t)n);
    return n;
}

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
        ESP_LOGI(TAG, "link up: version %u, keepalive %u s, max frame %u", ev->u.link_up.version,
                 ev->u.link_up.keepalive_s, ev->u.link_up.max_frame);
        snd_client_connect(&dev.client, client_id, 60, 1);
        break;
    case SND_EV_REJECTED:
        ESP_LOGE(TAG, "gateway rejected us: reason %d, it speaks versions %u..%u", ev->u.rejected.reason,
                 ev->u.rejected.gateway_min, ev->u.rejected.gateway_max);
        break;
    case SND_EV_CONNACK:
        ESP_LOGI(TAG, "connack %d", ev->u.connack.rc);
        if (ev->u.connack.rc == SND_RC_ACCEPTED) snd_client_register(&dev.client, status_topic);
        break;
    case SND_EV_REGACK:
        if (ev->u.ack.rc == SND_RC_ACCEPTED && ev->u.ack.topic && strcmp(ev->u.ack.topic, status_topic) == 0)
            status_topic_id = ev->u.ack.topic_id;
        break;
    case SND_EV_PUBLISH:
        ESP_LOGI(TAG, "message on topic %u: %.*s", ev->u.publish.topic_id, (int)ev->u.publish.len,
                 (const char *)ev->u.publish.data);
        break;
    case SND_EV_LINK_DOWN:
        ESP_LOGW(TAG, "link down (reason %d), saying HELLO again", ev->u.link_down.reason);
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
    esp_log_set_vprintf(log_line);

    /* The factory MAC is a stable identity across reboots and reflashing. */
    ESP_ERROR_CHECK(esp_efuse_mac_get_default(mac));
    snprintf(client_id, sizeof client_id, "esp32-%02x%02x%02x", mac[3], mac[4], mac[5]);
    snprintf(status_topic, sizeof status_topic, "esp32/%02x%02x%02x/status", mac[3], mac[4], mac[5]);

    snd_device_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.link.port.write = port_write;
    cfg.link.port.millis = port_millis;
    cfg.link.rx_buf = rx_buf;
    cfg.link.rx_size = sizeof rx_buf;
    cfg.link.tx_buf = tx_buf;
    cfg.link.tx_size = sizeof tx_buf;
    cfg.link.max_frame = MAX_FRAME;
    cfg.link.device_id = mac;
    cfg.link.device_id_len = sizeof mac;
    cfg.link.fw_name = "snbridge-esp-idf-example";
    cfg.link.fw_version = "1.0.0";
    cfg.client.pending_buf = pending_buf;
    cfg.client.pending_size = sizeof pending_buf;
    cfg.client.topic_storage = topics;
    cfg.client.topic_count = 8;
    cfg.on_event = on_event;
    ESP_ERROR_CHECK(snd_device_init(&dev, &cfg) == SND_OK ? ESP_OK : ESP_FAIL);

    int64_t last_publish_us = 0;
    for (;;) {
        uint8_t bytes[128];
        int n = uart_read_bytes(PORT, bytes, sizeof bytes, pdMS_TO_TICKS(20));
        if (n > 0) snd_device_feed(&dev, bytes, (size_t)n);
        snd_device_poll(&dev);

        int64_t now_us = esp_timer_get_time();
        if (status_topic_id && now_us - last_publish_us >= 10 * 1000 * 1000) {
            last_publish_us = now_us;
            char payload[64];
            int len = snprintf(payload, sizeof payload, "{\"uptime_s\":%lld,\"free_heap\":%lu}",
                               (long long)(now_us / 1000000), (unsigned long)esp_get_free_heap_size());
            int rc = snd_client_publish(&dev.client, status_topic_id, 0, 1, 0, (const uint8_t *)payload, (size_t)len);
            if (rc < 0) ESP_LOGW(TAG, "publish: %s", snd_status_text(rc));
        }
    }
}
