/*
 * The floor under hostpulse's per-cycle cost: what any agent that reports
 * every process must do, and nothing else. Each cycle lists /proc and reads
 * every /proc/<pid>/stat whole (the only per-process file the agent's procfs
 * sampler reads), then sleeps until the next tick.
 *
 * usage: proc-floor WARMUP CYCLES INTERVAL_MS
 * After WARMUP cycles and after CYCLES more it reads its own CPU accounting
 * (getrusage, the same utime+stime as /proc/<pid>/stat, in microseconds),
 * then prints one line and exits:
 *   cycles=N cpu_us=U rss_kb=R pids=P
 * rss_kb is VmRSS at the end; pids is how many stat files the last cycle read.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static long cpu_us(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000L + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static long rss_kb(void) {
  char buf[4096];
  int fd = open("/proc/self/status", O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = '\0';
  char *p = strstr(buf, "VmRSS:");
  return p ? strtol(p + 6, NULL, 10) : -1;
}

/* One cycle; returns how many stat files were read (a process gone meanwhile is skipped). */
static long cycle(char *buf, size_t size) {
  DIR *proc = opendir("/proc");
  if (!proc) {
    perror("opendir /proc");
    exit(1);
  }
  long pids = 0;
  char path[300]; // d_name is at most 255 bytes
  struct dirent *e;
  while ((e = readdir(proc)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    int fd = open(path, O_RDONLY);
    if (fd < 0) continue;
    ssize_t n = read(fd, buf, size);
    close(fd);
    if (n > 0) pids++;
  }
  closedir(proc);
  return pids;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s WARMUP CYCLES INTERVAL_MS\n", argv[0]);
    return 2;
  }
  long warmup = atol(argv[1]), cycles = atol(argv[2]), interval = atol(argv[3]);
  if (warmup < 0 || cycles < 1 || interval < 0) {
    fprintf(stderr, "%s: WARMUP >= 0, CYCLES >= 1 and INTERVAL_MS >= 0 expected\n", argv[0]);
    return 2;
  }
  static char buf[4096];
  long pids = 0;
  for (long i = 0; i < warmup; i++, sleep_ms(interval)) pids = cycle(buf, sizeof buf);
  long start = cpu_us();
  for (long i = 0; i < cycles; i++) {
    pids = cycle(buf, sizeof buf);
    // Not after the last cycle: the sleep is not work.
    if (i + 1 < cycles) sleep_ms(interval);
  }
  long used = cpu_us() - start;
  printf("cycles=%ld cpu_us=%ld rss_kb=%ld pids=%ld\n", cycles, used, rss_kb(), pids);
  return 0;
}
