/*
 * The floor under hostpulse's per-cycle cost: what any agent that reports
 * every process must do, and nothing else. Each cycle lists /proc and reads
 * every /proc/<pid>/stat whole (the only per-process file the agent's procfs
 * sampler reads), with the agent's own trick: each file stays open between
 * cycles and is re-read with one pread (no path lookup); then it sleeps until
 * the next tick.
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

/* A /proc/<pid>/stat kept open between cycles, as the agent keeps it (platforms/procfs/reader.ts). */
struct kept {
  long pid;
  int fd;
};

static struct kept *kept, *next;
static long n_kept, cap, budget;

/* One pread from offset 0: procfs renders the text afresh on every read. -1 when the process has gone. */
static ssize_t read_at(int fd, char *buf, size_t size) { return pread(fd, buf, size, 0); }

/*
 * One cycle; returns how many stat files were read (a process gone meanwhile is
 * skipped). /proc lists pids in ascending order, so last cycle's kept files are
 * matched by one merge walk; a kept file whose process has gone (ESRCH, even if
 * its pid is reused) is closed and the path opened afresh, as the agent does.
 */
static long cycle(char *buf, size_t size) {
  DIR *proc = opendir("/proc");
  if (!proc) {
    perror("opendir /proc");
    exit(1);
  }
  long pids = 0, old = 0, n_next = 0;
  char path[300]; // d_name is at most 255 bytes
  struct dirent *e;
  while ((e = readdir(proc)) != NULL) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    long pid = strtol(e->d_name, NULL, 10);
    // Processes that exited since the last cycle.
    while (old < n_kept && kept[old].pid < pid) close(kept[old++].fd);
    int fd = -1;
    if (old < n_kept && kept[old].pid == pid) {
      fd = kept[old++].fd;
      if (read_at(fd, buf, size) > 0) {
        pids++;
        if (n_next < cap) next[n_next++] = (struct kept){pid, fd};
        else close(fd);
        continue;
      }
      close(fd);
    }
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    if (read_at(fd, buf, size) > 0) pids++;
    if (n_next < budget && n_next < cap) next[n_next++] = (struct kept){pid, fd};
    else close(fd);
  }
  while (old < n_kept) close(kept[old++].fd);
  closedir(proc);
  struct kept *t = kept;
  kept = next;
  next = t;
  n_kept = n_next;
  return pids;
}

/* Like the agent: the soft limit of open files raised to the hard one, at most half of it kept. */
static void init_kept(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    budget = rl.rlim_cur == RLIM_INFINITY ? 1L << 20 : (long)(rl.rlim_cur / 2);
  } else {
    budget = 512;
  }
  cap = budget < (1L << 20) ? budget : (1L << 20);
  kept = calloc(cap, sizeof *kept);
  next = calloc(cap, sizeof *next);
  if (!kept || !next) {
    perror("calloc");
    exit(1);
  }
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
  init_kept();
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
