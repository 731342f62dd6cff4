//===- TcpStore.h - Rendezvous over TCP, served by rank 0 -------*- C++ -*-===//
//
// Part of Loom. A gloo::rendezvous::Store for ranks that share no
// directory (several machines, mpirun): rank 0 serves a key-value table on
// LOOM_MASTER_ADDR:LOOM_MASTER_PORT, every rank (rank 0 included) is a
// client. Messages: a byte ('S' set, 'G' get), then length-prefixed key
// (and value); a get answers a byte (1 found, 0 not yet) and the value.
// Clients poll a missing key until the timeout.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_TCPSTORE_H
#define LOOM_RUNTIME_TCPSTORE_H

#include <gloo/rendezvous/store.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace loom::runtime {

class TcpStore : public gloo::rendezvous::Store {
public:
  /// Connects to `host:port`; with `serve`, first listens there (rank 0;
  /// port 0 takes a free one, see port()). Throws std::runtime_error on
  /// failure.
  TcpStore(const std::string &host, int port, bool serve,
           std::chrono::milliseconds timeout);
  ~TcpStore() override;

  /// The port this store serves on (0 for a client).
  int port() const { return served; }

  void set(const std::string &key, const std::vector<char> &data) override;
  std::vector<char> get(const std::string &key) override;
  void wait(const std::vector<std::string> &keys) override;
  void wait(const std::vector<std::string> &keys,
            const std::chrono::milliseconds &timeout) override;

private:
  /// One request and its answer, on the client connection.
  bool tryGet(const std::string &key, std::vector<char> &value);
  void serveLoop();
  void serveClient(int fd);

  std::chrono::milliseconds timeout;
  int client = -1;
  std::mutex clientMutex;
  // Server side (rank 0).
  int listener = -1, served = 0;
  std::atomic<bool> stopping{false};
  std::thread acceptor;
  std::vector<std::thread> handlers;
  std::mutex tableMutex;
  std::map<std::string, std::vector<char>> table;
};

} // namespace loom::runtime

#endif // LOOM_RUNTIME_TCPSTORE_H
