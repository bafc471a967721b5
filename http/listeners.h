// The HTTP door's listening sockets: a Unix socket (hfd-http.sock beside hfd.sock unless
// `http_socket` says otherwise) and, when `http_listen` is set, a TCP socket. Each comes
// from systemd when it passed one (FileDescriptorName=http, http-tcp), else hfd binds it.
//
// Why a socket of its own rather than one socket told apart by its first bytes: the
// MessagePack door is a libuv loop and the HTTP door is libmicrohttpd with its own
// threads; sniffing would make every connection pass through one of them before the other
// could own it, and the two doors could not have their own accept queues, file modes or
// systemd units. Two sockets keep each door simple and independently switchable.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "daemon/config.h"
#include "daemon/listen_socket.h"
#include "hfd/status.h"

namespace hfd::http {

struct HttpListener {
  int fd = -1;
  bool tcp = false;
  std::string address;  // the socket's path, or host:port
  bool socket_activated = false;
  ino_t inode = 0;  // a self-bound Unix socket's file, removed at exit
};

// The Unix socket's default path: hfd-http.sock in the MessagePack socket's folder.
std::string DefaultHttpSocketPath(const std::string& msgpack_socket_path);

// Every listener the configuration and systemd give.
Result<std::vector<HttpListener>> AcquireHttpListeners(const daemon::Config& config,
                                                       const daemon::ListenSocket& msgpack);

// Closes the listeners and removes the socket files hfd bound.
void ReleaseHttpListeners(const std::vector<HttpListener>& listeners);

}  // namespace hfd::http
