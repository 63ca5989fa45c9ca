/*
 * Modbus TCP server for the gateway benchmark (npm run bench gateway): the
 * downstream device, written against libmodbus (Debian libmodbus-dev) so the
 * "direct" baseline is C client → C server and neither end is the bottleneck.
 *
 * usage: modbus-server HOST PORT UNIT
 * PORT 0 picks a free port. Prints one line {"event":"listening","port":N}
 * on stdout once it listens, then serves until killed (SIGTERM/SIGINT).
 *
 * One thread, many connections at once: modbus_tcp_listen + a select() loop,
 * as in libmodbus's bandwidth-server-many-up example. Each readable socket
 * gives one request (modbus_receive reads exactly one ADU, so pipelined
 * requests stay in the socket and come back on the next select round) and
 * one reply (modbus_reply: one send). TCP_NODELAY on every accepted socket,
 * so pipelined replies are not held back by Nagle. 10000 holding registers
 * (register i holds i) for unit UNIT; any other unit id is answered with
 * exception 0x0B (gateway target failed to respond), so a gateway that
 * forwarded the wrong unit id shows up as errors in the load client.
 */
#include <errno.h>
#include <modbus.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#define NB_REGISTERS 10000
#define BACKLOG 256

static void stop(int sig) { _exit(sig == SIGTERM ? 0 : 128 + sig); }

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s HOST PORT UNIT\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[2]), unit = atoi(argv[3]);
  if (port < 0 || port > 65535 || unit < 0 || unit > 255) {
    fprintf(stderr, "arguments out of range\n");
    return 2;
  }
  signal(SIGTERM, stop);
  signal(SIGINT, stop);
  signal(SIGPIPE, SIG_IGN);

  modbus_t *ctx = modbus_new_tcp(argv[1], port);
  modbus_mapping_t *map = modbus_mapping_new(0, 0, NB_REGISTERS, 0);
  if (ctx == NULL || map == NULL) {
    fprintf(stderr, "modbus_new_tcp/modbus_mapping_new: %s\n", modbus_strerror(errno));
    return 1;
  }
  for (int i = 0; i < NB_REGISTERS; i++) map->tab_registers[i] = (uint16_t)i;

  int server = modbus_tcp_listen(ctx, BACKLOG);
  if (server == -1) {
    fprintf(stderr, "modbus_tcp_listen: %s\n", modbus_strerror(errno));
    return 1;
  }
  struct sockaddr_in bound;
  socklen_t len = sizeof bound;
  if (getsockname(server, (struct sockaddr *)&bound, &len) != 0) {
    perror("getsockname");
    return 1;
  }
  printf("{\"event\":\"listening\",\"port\":%d}\n", ntohs(bound.sin_port));
  fflush(stdout);

  uint8_t query[MODBUS_TCP_MAX_ADU_LENGTH];
  fd_set refset, rdset;
  FD_ZERO(&refset);
  FD_SET(server, &refset);
  int fdmax = server;
  for (;;) {
    rdset = refset;
    if (select(fdmax + 1, &rdset, NULL, NULL, NULL) == -1) {
      if (errno == EINTR) continue;
      perror("select");
      return 1;
    }
    for (int fd = 0; fd <= fdmax; fd++) {
      if (!FD_ISSET(fd, &rdset)) continue;
      if (fd == server) {
        int s = accept(server, NULL, NULL);
        if (s == -1) continue;
        if (s >= FD_SETSIZE) {
          close(s);
          continue;
        }
        int one = 1;
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        FD_SET(s, &refset);
        if (s > fdmax) fdmax = s;
        continue;
      }
      modbus_set_socket(ctx, fd);
      int rc = modbus_receive(ctx, query);
      if (rc > 0) {
        if (query[6] == unit) modbus_reply(ctx, query, rc, map);
        else modbus_reply_exception(ctx, query, MODBUS_EXCEPTION_GATEWAY_TARGET);
      } else if (rc == -1) {
        close(fd);
        FD_CLR(fd, &refset);
        while (fdmax > server && !FD_ISSET(fdmax, &refset)) fdmax--;
      }
    }
  }
}
