/*
 * Modbus TCP load client for the gateway benchmark (npm run bench:gateway).
 * Written against libmodbus (Debian libmodbus-dev) so the load generator is a
 * fast, independent C stack and never the bottleneck.
 *
 * usage: modbus-load HOST PORT CONNECTIONS QUANTITY DURATION_MS UNIT [ADDRESS]
 * Each connection is one thread doing FC 3 reads of QUANTITY registers back to
 * back for DURATION_MS (bounded also by MAX_SAMPLES per thread). Every thread
 * connects first; the clock starts when all are connected (a barrier), so
 * connection set-up is not measured. After an error libmodbus flushes the
 * socket (protocol error recovery), so a late reply cannot answer the next
 * request. Prints one JSON line: transactions, errors, failedConnections,
 * seconds, txPerS, p50Us, p99Us (latency of successful transactions).
 */
#include <errno.h>
#include <modbus.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SAMPLES 2000000

static pthread_barrier_t ready;
static double duration_s;

struct worker {
  pthread_t thread;
  const char *host;
  int port, quantity, unit, address;
  uint32_t *lat_us;
  long n, errors;
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *run(void *arg) {
  struct worker *w = arg;
  uint16_t regs[125];
  modbus_t *ctx = modbus_new_tcp(w->host, w->port);
  if (ctx == NULL || modbus_set_slave(ctx, w->unit) != 0 || modbus_connect(ctx) != 0) {
    w->errors = -1;
    if (ctx) modbus_free(ctx);
    pthread_barrier_wait(&ready);
    return NULL;
  }
  modbus_set_response_timeout(ctx, 1, 0);
  modbus_set_error_recovery(ctx, MODBUS_ERROR_RECOVERY_PROTOCOL);
  pthread_barrier_wait(&ready);
  double deadline = now_s() + duration_s;
  while (w->n < MAX_SAMPLES) {
    double t0 = now_s();
    if (t0 >= deadline) break;
    int rc = modbus_read_registers(ctx, w->address, w->quantity, regs);
    double t1 = now_s();
    if (rc != w->quantity) {
      w->errors++;
      if (errno == EBADF || errno == ECONNRESET || errno == EPIPE) break;
      continue;
    }
    w->lat_us[w->n++] = (uint32_t)((t1 - t0) * 1e6);
  }
  modbus_close(ctx);
  modbus_free(ctx);
  return NULL;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: %s HOST PORT CONNECTIONS QUANTITY DURATION_MS UNIT [ADDRESS]\n", argv[0]);
    return 2;
  }
  int conns = atoi(argv[3]), quantity = atoi(argv[4]), unit = atoi(argv[6]);
  double duration = atof(argv[5]) / 1000.0;
  duration_s = duration;
  int address = argc > 7 ? atoi(argv[7]) : 0;
  if (conns < 1 || conns > 256 || quantity < 1 || quantity > 125 || duration <= 0 || duration > 600) {
    fprintf(stderr, "arguments out of range\n");
    return 2;
  }
  struct worker *ws = calloc((size_t)conns, sizeof *ws);
  pthread_barrier_init(&ready, NULL, (unsigned)conns + 1);
  for (int i = 0; i < conns; i++) {
    ws[i] = (struct worker){.host = argv[1], .port = atoi(argv[2]), .quantity = quantity, .unit = unit,
                            .address = address};
    ws[i].lat_us = malloc(sizeof(uint32_t) * MAX_SAMPLES);
    pthread_create(&ws[i].thread, NULL, run, &ws[i]);
  }
  pthread_barrier_wait(&ready);
  double start = now_s();
  long total = 0, errors = 0, failed = 0;
  for (int i = 0; i < conns; i++) {
    pthread_join(ws[i].thread, NULL);
    total += ws[i].n;
    if (ws[i].errors < 0) failed++;
    else errors += ws[i].errors;
  }
  double seconds = now_s() - start;
  uint32_t *all = malloc(sizeof(uint32_t) * (size_t)(total > 0 ? total : 1));
  long k = 0;
  for (int i = 0; i < conns; i++) {
    memcpy(all + k, ws[i].lat_us, sizeof(uint32_t) * (size_t)ws[i].n);
    k += ws[i].n;
    free(ws[i].lat_us);
  }
  qsort(all, (size_t)total, sizeof(uint32_t), cmp_u32);
  uint32_t p50 = total ? all[total / 2] : 0, p99 = total ? all[(long)((double)total * 0.99)] : 0;
  printf("{\"transactions\":%ld,\"errors\":%ld,\"failedConnections\":%ld,\"seconds\":%.4f,"
         "\"txPerS\":%.1f,\"p50Us\":%u,\"p99Us\":%u}\n",
         total, errors, failed, seconds, (double)total / seconds, p50, p99);
  free(all);
  free(ws);
  pthread_barrier_destroy(&ready);
  return failed == conns ? 1 : 0;
}
