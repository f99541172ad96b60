/*
 * simavr-uart-pty: runs an AVR firmware under libsimavr with its USART0 on a fresh pseudo-terminal, so a program
 * (snbridge run) opens the board like a USB-serial port. The simavr command line has no UART-to-pty option, and
 * simavr's own uart_pty part uses a fixed /tmp path that parallel runs would share.
 *
 *   simavr-uart-pty [-m atmega328p] [-f 16000000] firmware.elf
 *   stdout: "pty /dev/pts/N" once the board runs, then nothing; exits when the pty's other end has been opened and
 *           closed, on SIGTERM, or when the firmware stops.
 *
 * Simulated time is held to wall-clock time (the firmware's millis() must agree with the gateway's clock), and
 * the UART keeps simavr's byte timing at the baud rate the firmware programs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <simavr/avr_uart.h>
#include <simavr/sim_avr.h>
#include <simavr/sim_elf.h>
#include <simavr/sim_irq.h>

static int master = -1;
static volatile sig_atomic_t stop;
static int input_ready = 1;        /* the UART's input fifo has room (XON) */
static uint8_t out_buf[4096];
static size_t out_len;

static void on_output(struct avr_irq_t *irq, uint32_t value, void *param) {
    (void)irq;
    (void)param;
    if (out_len < sizeof out_buf) out_buf[out_len++] = (uint8_t)value;
}

static void on_xon(struct avr_irq_t *irq, uint32_t value, void *param) {
    (void)irq;
    (void)value;
    (void)param;
    input_ready = 1;
}

static void on_xoff(struct avr_irq_t *irq, uint32_t value, void *param) {
    (void)irq;
    (void)value;
    (void)param;
    input_ready = 0;
}

static void on_signal(int sig) {
    (void)sig;
    stop = 1;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void flush_output(void) {
    size_t done = 0;
    while (done < out_len) {
        ssize_t n = write(master, out_buf + done, out_len - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            break; /* EAGAIN (nobody reading yet) or EIO (other end closed): the bytes are lost, like on a wire */
        }
        done += (size_t)n;
    }
    out_len = 0;
}

int main(int argc, char **argv) {
    const char *mcu = "atmega328p", *path = 0;
    uint32_t frequency = 16000000;
    elf_firmware_t firmware;
    avr_t *avr;
    struct termios tio;
    int i, opened = 0;
    double start, sim_start;
    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-m") && i + 1 < argc) mcu = argv[++i];
        else if (!strcmp(argv[i], "-f") && i + 1 < argc) frequency = (uint32_t)strtoul(argv[++i], 0, 10);
        else path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: simavr-uart-pty [-m mcu] [-f hz] firmware.elf\n");
        return 2;
    }
    memset(&firmware, 0, sizeof firmware);
    if (elf_read_firmware(path, &firmware) != 0) {
        fprintf(stderr, "simavr-uart-pty: cannot read %s\n", path);
        return 1;
    }
    avr = avr_make_mcu_by_name(firmware.mmcu[0] ? firmware.mmcu : mcu);
    if (!avr) {
        fprintf(stderr, "simavr-uart-pty: unknown mcu %s\n", mcu);
        return 1;
    }
    avr_init(avr);
    avr->frequency = firmware.frequency ? firmware.frequency : frequency;
    avr_load_firmware(avr, &firmware);

    master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        fprintf(stderr, "simavr-uart-pty: no pty: %s\n", strerror(errno));
        return 1;
    }
    if (tcgetattr(master, &tio) == 0) {
        cfmakeraw(&tio);
        tcsetattr(master, TCSANOW, &tio);
    }
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    {
        uint32_t flags = 0;
        avr_ioctl(avr, AVR_IOCTL_UART_GET_FLAGS('0'), &flags);
        flags &= ~(uint32_t)(AVR_UART_FLAG_STDIO | AVR_UART_FLAG_POLL_SLEEP);
        avr_ioctl(avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
    }
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT), on_output, 0);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XON), on_xon, 0);
    avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUT_XOFF), on_xoff, 0);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    printf("pty %s\n", ptsname(master));
    fflush(stdout);
    /* Power the board when its port is opened, so its boot messages reach whoever opened it. A master reports
       POLLHUP only once its slave has been opened and closed, so open and close it once first. */
    close(open(ptsname(master), O_RDWR | O_NOCTTY));
    for (i = 0; i < 3000 && !stop; i++) {   /* at most 30 s */
        struct pollfd p = {master, POLLIN, 0};
        struct timespec tick = {0, 10000000};
        if (poll(&p, 1, 0) >= 0 && !(p.revents & POLLHUP)) break;
        nanosleep(&tick, 0);
    }

    start = now_s();
    sim_start = 0;
    while (!stop) {
        int state = cpu_Running;
        double sim, wall;
        for (i = 0; i < 2000 && state != cpu_Done && state != cpu_Crashed; i++) state = avr_run(avr);
        if (state == cpu_Done || state == cpu_Crashed) {
            fprintf(stderr, "simavr-uart-pty: firmware stopped (%s)\n", state == cpu_Done ? "done" : "crashed");
            break;
        }
        flush_output();
        while (input_ready) {
            uint8_t byte;
            ssize_t n = read(master, &byte, 1);
            if (n == 1) {
                opened = 1;
                avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT), byte);
                continue;
            }
            if (n < 0 && errno == EIO && opened) stop = 1; /* the other end opened the port and closed it */
            break;
        }
        /* Hold simulated time to wall time: sleep while the board is ahead. */
        sim = (double)avr->cycle / (double)avr->frequency - sim_start;
        wall = now_s() - start;
        if (sim > wall + 0.002) {
            struct timespec pause = {0, (long)((sim - wall) * 1e9)};
            nanosleep(&pause, 0);
        }
    }
    flush_output();
    fprintf(stderr, "simavr-uart-pty: simulated %.2f s in %.2f s\n", (double)avr->cycle / (double)avr->frequency,
            now_s() - start);
    return 0;
}
