/* Runs spandsp's DTMF receiver (Debian libspandsp-dev, default parameters) for the comparison
 * test dsp/tests/spandsp_dtmf.rs. Built by that test with `cc -O2 ... -lspandsp`; never linked
 * into anything we ship.
 *
 *   dtmf_rx_harness detect FILE   FILE = records of (u32 LE n, n × i16 LE samples); a fresh
 *                                 receiver per record, fed in 8-sample chunks. Prints one line
 *                                 per digit: "REC DIGIT START END" (sample indexes within the
 *                                 record; START = when spandsp reported the digit on, END = off
 *                                 or -1), then "done RECORDS".
 *   dtmf_rx_harness bench FILE S  FILE = one record; runs it in 160-sample blocks until S seconds
 *                                 of thread CPU time are spent. Prints "bench SAMPLES CPU_SECONDS".
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <spandsp.h>

struct rt {
    long rec;
    long now;
    int on;
    char digit;
    long start;
};

static void on_tone(void *user_data, int code, int level, int delay)
{
    struct rt *r = user_data;
    (void) level;
    (void) delay;
    if (code) {
        if (r->on)
            printf("%ld %c %ld %ld\n", r->rec, r->digit, r->start, r->now);
        r->on = 1;
        r->digit = (char) code;
        r->start = r->now;
    } else if (r->on) {
        printf("%ld %c %ld %ld\n", r->rec, r->digit, r->start, r->now);
        r->on = 0;
    }
}

static int16_t *read_record(FILE *f, uint32_t *n)
{
    unsigned char h[4];
    if (fread(h, 1, 4, f) != 4)
        return NULL;
    *n = (uint32_t) h[0] | (uint32_t) h[1] << 8 | (uint32_t) h[2] << 16 | (uint32_t) h[3] << 24;
    int16_t *x = malloc((size_t) *n * sizeof(int16_t) + 1);
    if (x == NULL || fread(x, sizeof(int16_t), *n, f) != *n) {
        fprintf(stderr, "dtmf_rx_harness: truncated record of %" PRIu32 " samples\n", *n);
        exit(2);
    }
    return x;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: dtmf_rx_harness detect FILE | bench FILE SECONDS\n");
        return 2;
    }
    FILE *f = fopen(argv[2], "rb");
    if (f == NULL) {
        perror(argv[2]);
        return 2;
    }
    if (strcmp(argv[1], "detect") == 0) {
        uint32_t n;
        int16_t *x;
        long rec = 0;
        while ((x = read_record(f, &n)) != NULL) {
            struct rt r = { rec, 0, 0, 0, 0 };
            dtmf_rx_state_t *s = dtmf_rx_init(NULL, NULL, NULL);
            dtmf_rx_set_realtime_callback(s, on_tone, &r);
            for (uint32_t t = 0; t < n; t += 8) {
                int take = (n - t) < 8 ? (int) (n - t) : 8;
                r.now = (long) t + take;
                dtmf_rx(s, x + t, take);
            }
            if (r.on)
                printf("%ld %c %ld -1\n", rec, r.digit, r.start);
            dtmf_rx_free(s);
            free(x);
            rec++;
        }
        printf("done %ld\n", rec);
    } else if (strcmp(argv[1], "bench") == 0 && argc == 4) {
        uint32_t n;
        int16_t *x = read_record(f, &n);
        double want = atof(argv[3]);
        if (x == NULL) {
            fprintf(stderr, "dtmf_rx_harness: empty bench file\n");
            return 2;
        }
        long long samples = 0;
        long digits = 0;
        double t0 = cpu_s();
        do {
            dtmf_rx_state_t *s = dtmf_rx_init(NULL, NULL, NULL);
            for (uint32_t t = 0; t < n; t += 160) {
                int take = (n - t) < 160 ? (int) (n - t) : 160;
                dtmf_rx(s, x + t, take);
            }
            char buf[256];
            digits = (long) dtmf_rx_get(s, buf, sizeof(buf) - 1);
            dtmf_rx_free(s);
            samples += n;
        } while (cpu_s() - t0 < want);
        printf("bench %lld %.6f %ld\n", samples, cpu_s() - t0, digits);
        free(x);
    } else {
        fprintf(stderr, "dtmf_rx_harness: unknown mode %s\n", argv[1]);
        return 2;
    }
    fclose(f);
    return 0;
}
