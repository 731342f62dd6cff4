//===- TcpStore.cpp - Rendezvous over TCP, served by rank 0 ---------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "TcpStore.h"

#include <arpa/inet.h>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

using loom::runtime::TcpStore;

namespace {

bool sendAll(int fd, const void *data, size_t n) {
  const char *p = static_cast<const char *>(data);
  while (n) {
    ssize_t sent = ::send(fd, p, n, MSG_NOSIGNAL);
    if (sent <= 0)
      return false;
    p += sent;
    n -= static_cast<size_t>(sent);
  }
  return true;
}

bool recvAll(int fd, void *data, size_t n) {
  char *p = static_cast<char *>(data);
  while (n) {
    ssize_t got = ::recv(fd, p, n, 0);
    if (got <= 0)
      return false;
    p += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

bool sendBlob(int fd, const void *data, uint64_t n) {
  return sendAll(fd, &n, sizeof(n)) && sendAll(fd, data, n);
}

bool recvBlob(int fd, std::vector<char> &out) {
  uint64_t n;
  if (!recvAll(fd, &n, sizeof(n)) || n > (1u << 30))
    return false;
  out.resize(n);
  return recvAll(fd, out.data(), n);
}

[[noreturn]] void fail(const std::string &what) {
  throw std::runtime_error("rendezvous: " + what + ": " + std::strerror(errno));
}

} // namespace

TcpStore::TcpStore(const std::string &host, int port, bool serve,
                   std::chrono::milliseconds timeout)
    : timeout(timeout) {
  if (serve) {
    listener = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    if (listener < 0 ||
        ::bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) ||
        ::listen(listener, 128))
      fail("cannot listen on port " + std::to_string(port));
    socklen_t length = sizeof(addr);
    if (port == 0 &&
        ::getsockname(listener, reinterpret_cast<sockaddr *>(&addr), &length))
      fail("cannot read the port it listens on");
    port = ntohs(addr.sin_port);
    served = port;
    acceptor = std::thread([this] { serveLoop(); });
  }
  addrinfo hints{}, *found = nullptr;
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints,
                    &found) ||
      !found)
    throw std::runtime_error("rendezvous: cannot resolve " + host);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) { // rank 0 may not listen yet
    client = ::socket(AF_INET, SOCK_STREAM, 0);
    if (::connect(client, found->ai_addr, found->ai_addrlen) == 0)
      break;
    ::close(client);
    client = -1;
    if (std::chrono::steady_clock::now() > deadline) {
      ::freeaddrinfo(found);
      fail("cannot reach rank 0 at " + host + ":" + std::to_string(port) +
           " within the timeout");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::freeaddrinfo(found);
  int one = 1;
  ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

TcpStore::~TcpStore() {
  if (client >= 0)
    ::close(client);
  if (listener >= 0) {
    stopping = true;
    ::shutdown(listener, SHUT_RDWR);
    ::close(listener);
    acceptor.join();
    for (std::thread &t : handlers)
      t.join();
  }
}

void TcpStore::serveLoop() {
  while (!stopping) {
    pollfd p{listener, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0)
      continue;
    int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0)
      continue;
    handlers.emplace_back([this, fd] { serveClient(fd); });
  }
}

void TcpStore::serveClient(int fd) {
  while (!stopping) {
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, 100);
    if (ready == 0)
      continue;
    char op;
    std::vector<char> key, value;
    if (ready < 0 || !recvAll(fd, &op, 1) || !recvBlob(fd, key))
      break;
    std::string name(key.begin(), key.end());
    if (op == 'S') {
      if (!recvBlob(fd, value))
        break;
      std::lock_guard<std::mutex> lock(tableMutex);
      table[name] = std::move(value);
      continue;
    }
    bool found;
    {
      std::lock_guard<std::mutex> lock(tableMutex);
      auto it = table.find(name);
      found = it != table.end();
      if (found)
        value = it->second;
    }
    char answer = found;
    if (!sendAll(fd, &answer, 1) ||
        (found && !sendBlob(fd, value.data(), value.size())))
      break;
  }
  ::close(fd);
}

void TcpStore::set(const std::string &key, const std::vector<char> &data) {
  std::lock_guard<std::mutex> lock(clientMutex);
  char op = 'S';
  if (!sendAll(client, &op, 1) || !sendBlob(client, key.data(), key.size()) ||
      !sendBlob(client, data.data(), data.size()))
    fail("lost rank 0");
}

bool TcpStore::tryGet(const std::string &key, std::vector<char> &value) {
  std::lock_guard<std::mutex> lock(clientMutex);
  char op = 'G', found;
  if (!sendAll(client, &op, 1) || !sendBlob(client, key.data(), key.size()) ||
      !recvAll(client, &found, 1) || (found && !recvBlob(client, value)))
    fail("lost rank 0");
  return found;
}

std::vector<char> TcpStore::get(const std::string &key) {
  wait({key}, timeout);
  std::vector<char> value;
  tryGet(key, value);
  return value;
}

void TcpStore::wait(const std::vector<std::string> &keys) {
  wait(keys, timeout);
}

void TcpStore::wait(const std::vector<std::string> &keys,
                    const std::chrono::milliseconds &waitFor) {
  auto deadline = std::chrono::steady_clock::now() + waitFor;
  std::vector<char> ignored;
  for (const std::string &key : keys)
    while (!tryGet(key, ignored)) {
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error("rendezvous: timed out waiting for key " +
                                 key + " (a peer rank died or hung)");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}
