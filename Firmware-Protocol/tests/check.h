/* The few helpers every host test binary shares: CHECK, hex parsing, the summary line. */
#ifndef SND_TEST_CHECK_H
#define SND_TEST_CHECK_H
#include <stdint.h>
#include <stdio.h>
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
        if (sscanf(hex, "%2x", &v) != 1) break;
        out[n++] = (uint8_t)v;
        hex += 2;
    }
    return n;
}

static int summary(const char *suite) {
    printf("%s %s: %d checks, %d failed\n", failures ? "FAILED" : "PASSED", suite, checks, failures);
    return failures ? 1 : 0;
}
#endif
