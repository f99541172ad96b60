/* Descriptions of snd_status values. */
#include "snd_types.h"

/* On AVR string constants are copied to RAM at start-up, so the descriptions are left out unless asked for. */
#ifndef SND_STATUS_TEXT
#ifdef __AVR__
#define SND_STATUS_TEXT 0
#else
#define SND_STATUS_TEXT 1
#endif
#endif

const char *snd_status_text(int status) {
#if !SND_STATUS_TEXT
    return status >= 0 ? "ok" : "error";
#else
    switch (status) {
    case SND_OK: return "ok";
    case SND_ERR_COBS: return "COBS error";
    case SND_ERR_TOO_SHORT: return "frame too short";
    case SND_ERR_BAD_CRC: return "bad CRC";
    case SND_ERR_UNKNOWN_TYPE: return "unknown frame type";
    case SND_ERR_OVERSIZE: return "too large for the link";
    case SND_ERR_NOT_LINKED: return "link not up";
    case SND_ERR_ARGUMENT: return "invalid argument";
    case SND_ERR_BUSY: return "operation already in flight";
    case SND_ERR_NO_ROOM: return "topic table full";
    case SND_ERR_MALFORMED: return "malformed message";
    case SND_ERR_TIMEOUT: return "no answer after retries";
    case SND_ERR_TOPIC_TOO_LONG: return "topic name longer than the topic table allows";
    default: return "unknown status";
    }
#endif
}
