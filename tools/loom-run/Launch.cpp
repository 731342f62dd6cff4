//===- Launch.cpp - loom-run -n N: start the ranks of one job -------------===//
//
// Part of Loom.
//
//   loom-run -n N [--timeout S] [--store file|tcp] [--hosts H1,H2,...]
//            PROGRAM [ARGS...]
//
// Starts N copies of PROGRAM on this machine with LOOM_RANK,
// LOOM_LOCAL_RANK (the rank among its host's; a CUDA model takes that GPU),
// LOOM_WORLD_SIZE, LOOM_MASTER_ADDR, LOOM_MASTER_PORT and LOOM_TIMEOUT
// set, and waits for them. The ranks meet through a fresh directory
// (LOOM_STORE_DIR; --store file, the default) or through rank 0 serving
// on a free port (--store tcp, as ranks on several machines do). With
// --hosts, rank r runs on host r mod (number of hosts) through ssh (or the
// command in LOOM_SSH), the rendezvous is TCP on the first host, and each
// rank's connections use its host's name (LOOM_HOSTNAME); PROGRAM must be
// at the same path on every host.
// When a rank fails (a non-zero exit, a signal), the others have the
// timeout (and 2 s) to finish (their collectives fail with the peer gone
// or time out); those still running then are killed. Exit code: 0 when every
// rank succeeded, else the first failure's code (128 + signal for a signal).
//
//===----------------------------------------------------------------------===//

#include "Launch.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

/// Removes `dir` and the files the rendezvous left in it.
void removeStore(const std::string &dir) {
  std::string command = "rm -rf '" + dir + "'";
  if (std::system(command.c_str()) != 0)
    std::fprintf(stderr, "loom-run: warning: could not remove %s\n",
                 dir.c_str());
}

/// A description of how `status` ended a process; its exit code.
int describe(int status, std::string &how) {
  if (WIFEXITED(status)) {
    how = "exited with code " + std::to_string(WEXITSTATUS(status));
    return WEXITSTATUS(status);
  }
  int signal = WTERMSIG(status);
  how = "was killed by signal " + std::to_string(signal) + " (" +
        strsignal(signal) + ")";
  return 128 + signal;
}

/// A TCP port nobody listens on now.
int freePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(addr);
  int port = 0;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr *>(&addr), length) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &length) == 0)
    port = ntohs(addr.sin_port);
  if (fd >= 0)
    close(fd);
  return port;
}

} // namespace

int launchRanks(int argc, char **argv) {
  long ranks = 0;
  double timeout = 60;
  std::string storeKind = "file";
  std::vector<std::string> hosts;
  if (const char *env = std::getenv("LOOM_TIMEOUT"))
    timeout = std::atof(env);
  int i = 1;
  for (; i < argc && argv[i][0] == '-'; ++i) {
    std::string arg = argv[i];
    if (arg == "-n" && i + 1 < argc)
      ranks = std::atol(argv[++i]);
    else if (arg == "--timeout" && i + 1 < argc)
      timeout = std::atof(argv[++i]);
    else if (arg == "--store" && i + 1 < argc)
      storeKind = argv[++i];
    else if (arg == "--hosts" && i + 1 < argc) {
      std::string list = argv[++i];
      for (size_t start = 0; start <= list.size();) {
        size_t comma = list.find(',', start);
        if (comma == std::string::npos)
          comma = list.size();
        if (comma > start)
          hosts.push_back(list.substr(start, comma - start));
        start = comma + 1;
      }
      storeKind = "tcp";
    } else {
      std::fprintf(stderr,
                   "loom-run: error: unexpected argument '%s' (usage: "
                   "loom-run -n N [--timeout S] [--store file|tcp] [--hosts "
                   "H1,H2,...] PROGRAM [ARGS...])\n",
                   argv[i]);
      return 2;
    }
  }
  if (ranks < 1 || i >= argc || timeout <= 0 ||
      (storeKind != "file" && storeKind != "tcp")) {
    std::fprintf(stderr, "loom-run: error: usage: loom-run -n N [--timeout S] "
                         "[--store file|tcp] [--hosts H1,H2,...] PROGRAM "
                         "[ARGS...] (N >= 1, S > 0)\n");
    return 2;
  }
  int port = storeKind == "tcp" ? freePort() : 0;
  if (storeKind == "tcp" && port == 0) {
    std::perror("loom-run: error: no free port for the rendezvous");
    return 1;
  }
  char store[] = "/tmp/loom-run-XXXXXX";
  if (!mkdtemp(store)) {
    std::perror("loom-run: error: cannot create the rendezvous directory");
    return 1;
  }
  std::vector<pid_t> pids;
  for (long r = 0; r < ranks; ++r) {
    pid_t pid = fork();
    if (pid < 0) {
      std::perror("loom-run: error: fork");
      for (pid_t p : pids)
        kill(p, SIGKILL);
      removeStore(store);
      return 1;
    }
    if (pid == 0) {
      setenv("LOOM_RANK", std::to_string(r).c_str(), 1);
      // Its place among the ranks of its host: a CUDA model's device
      // (cuda:LOCAL_RANK).
      long local = hosts.empty() ? r : r / static_cast<long>(hosts.size());
      setenv("LOOM_LOCAL_RANK", std::to_string(local).c_str(), 1);
      setenv("LOOM_WORLD_SIZE", std::to_string(ranks).c_str(), 1);
      setenv("LOOM_MASTER_ADDR", "127.0.0.1", 1);
      setenv("LOOM_MASTER_PORT", std::to_string(port).c_str(), 1);
      if (storeKind == "file")
        setenv("LOOM_STORE_DIR", store, 1);
      else
        unsetenv("LOOM_STORE_DIR");
      setenv("LOOM_TIMEOUT", std::to_string(timeout).c_str(), 1);
      if (!hosts.empty()) {
        // ssh HOST env LOOM_...=... PROGRAM ARGS, each word quoted for the
        // remote shell.
        const std::string &host = hosts[r % hosts.size()];
        const char *ssh = std::getenv("LOOM_SSH");
        std::string command = "env";
        auto quote = [](const std::string &word) {
          std::string q = "'";
          for (char c : word)
            q += c == '\'' ? std::string("'\\''") : std::string(1, c);
          return q + "'";
        };
        for (const char *name :
             {"LOOM_RANK", "LOOM_LOCAL_RANK", "LOOM_WORLD_SIZE",
              "LOOM_MASTER_PORT", "LOOM_TIMEOUT"})
          command += " " + quote(std::string(name) + "=" + std::getenv(name));
        command += " " + quote("LOOM_MASTER_ADDR=" + hosts.front());
        command += " " + quote("LOOM_HOSTNAME=" + host);
        for (int a = i; a < argc; ++a)
          command += " " + quote(argv[a]);
        const char *shell = ssh && *ssh ? ssh : "ssh";
        execlp(shell, shell, host.c_str(), command.c_str(),
               static_cast<char *>(nullptr));
        std::fprintf(stderr, "loom-run: error: cannot run %s: %s\n", shell,
                     std::strerror(errno));
        _exit(125);
      }
      execvp(argv[i], argv + i);
      std::fprintf(stderr, "loom-run: error: cannot run %s: %s\n", argv[i],
                   std::strerror(errno));
      _exit(125); // 126 and 127 mean "not run" to LLVM's tools
    }
    pids.push_back(pid);
  }
  int result = 0;
  long alive = ranks;
  bool failing = false;
  auto deadline = std::chrono::steady_clock::time_point::max();
  std::vector<bool> done(ranks, false);
  while (alive > 0) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      long r = 0;
      while (r < ranks && pids[r] != pid)
        ++r;
      if (r == ranks)
        continue;
      done[r] = true;
      --alive;
      std::string how;
      int code = describe(status, how);
      if (code != 0) {
        std::fprintf(stderr, "loom-run: rank %ld %s\n", r, how.c_str());
        if (!failing) {
          failing = true;
          result = code;
          // The others' own timeouts fire first; this is the backstop.
          deadline = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(
                         static_cast<int64_t>(timeout * 1000) + 2000);
        }
      }
      continue;
    }
    if (failing && std::chrono::steady_clock::now() > deadline) {
      for (long r = 0; r < ranks; ++r)
        if (!done[r]) {
          std::fprintf(stderr,
                       "loom-run: rank %ld did not exit within %.0f s of the "
                       "first failure; killed\n",
                       r, timeout + 2);
          kill(pids[r], SIGKILL);
        }
      while (alive > 0 && waitpid(-1, &status, 0) > 0)
        --alive;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  removeStore(store);
  return result;
}
