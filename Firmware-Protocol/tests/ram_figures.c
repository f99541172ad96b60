/* Compiled (not linked) by `make sizes`: each symbol's size is a RAM figure for the target. */
#include "snbridge_device.h"
char ram_snd_device[sizeof(snd_device)];
char ram_snd_link[sizeof(snd_link)];
char ram_snd_client[sizeof(snd_client)];
char ram_topics_3_of_40_chars[SND_TOPIC_STORAGE_SIZE(3, 40)];
char ram_rx_buf_max_frame_128[SND_RX_BUF_SIZE(128)];
char ram_tx_buf_max_frame_128[SND_TX_BUF_SIZE(128)];
char ram_rx_buf_max_frame_256[SND_RX_BUF_SIZE(256)];
char ram_tx_buf_max_frame_256[SND_TX_BUF_SIZE(256)];
