#include "http/listeners.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <memory>

namespace hfd::http {
namespace {

// "host:port" ("[v6]:port") of a bound TCP socket: with port 0 or a socket from systemd,
// the kernel knows the port, not the configuration.
std::string TcpAddressOf(int fd) {
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  char name[NI_MAXHOST];
  char port[NI_MAXSERV];
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0 ||
      ::getnameinfo(reinterpret_cast<sockaddr*>(&bound), len, name, sizeof(name), port,
                    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return "";
  }
  return (bound.ss_family == AF_INET6 ? "[" + std::string(name) + "]" : std::string(name)) + ":" +
         port;
}

Result<HttpListener> FromSystemd(int fd, bool tcp) {
  const int family = tcp ? AF_UNSPEC : AF_UNIX;
  const int ok = tcp ? sd_is_socket_inet(fd, family, SOCK_STREAM, 1, 0)
                     : sd_is_socket_unix(fd, SOCK_STREAM, 1, nullptr, 0);
  if (ok <= 0) {
    return InvalidArgument(std::string("the socket systemd passed as ") +
                           (tcp ? "http-tcp" : "http") + " is not a listening " +
                           (tcp ? "TCP" : "Unix stream") + " socket; check hfd-http" +
                           (tcp ? "-tcp" : "") + ".socket");
  }
  HttpListener l;
  l.fd = fd;
  l.tcp = tcp;
  l.socket_activated = true;
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (tcp) {
    l.address = TcpAddressOf(fd);
  } else if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    l.address = reinterpret_cast<sockaddr_un*>(&addr)->sun_path;
  }
  return l;
}

// "host:port" or "[v6]:port".
Result<std::pair<std::string, std::string>> SplitHostPort(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return InvalidArgument("http_listen must be \"host:port\", e.g. \"127.0.0.1:11435\", not '" +
                           text + "'");
  }
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::make_pair(host, text.substr(colon + 1));
}

Result<HttpListener> BindTcp(const std::string& listen) {
  HFD_ASSIGN_OR_RETURN(auto host_port, SplitHostPort(listen));
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(host_port.first.c_str(), host_port.second.c_str(), &hints, &found);
      rc != 0) {
    return InvalidArgument("http_listen '" + listen + "': " + ::gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(found, ::freeaddrinfo);
  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return ErrnoError("socket", errno);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
    const int e = errno;
    ::close(fd);
    return ErrnoError("http_listen " + listen, e);
  }
  HttpListener l;
  l.fd = fd;
  l.tcp = true;
  l.address = TcpAddressOf(fd);
  if (l.address.empty()) l.address = listen;
  return l;
}

}  // namespace

std::string DefaultHttpSocketPath(const std::string& msgpack_socket_path) {
  return (std::filesystem::path(msgpack_socket_path).parent_path() / "hfd-http.sock").string();
}

Result<std::vector<HttpListener>> AcquireHttpListeners(const daemon::Config& config,
                                                       const daemon::ListenSocket& msgpack) {
  std::vector<HttpListener> out;
  const auto fail = [&out](const Status& s) {
    ReleaseHttpListeners(out);
    return s;
  };
  if (msgpack.http_unix_fd >= 0) {
    Result<HttpListener> l = FromSystemd(msgpack.http_unix_fd, false);
    if (!l.ok()) return fail(l.status());
    out.push_back(*l);
  } else if (config.http.socket_path != "off") {
    const std::string path = config.http.socket_path.empty() ? DefaultHttpSocketPath(msgpack.path)
                                                             : config.http.socket_path;
    Result<daemon::ListenSocket> bound = daemon::BindUnixSocket(path, config.socket_mode);
    if (!bound.ok()) return fail(bound.status().WithContext("the HTTP socket (http_socket)"));
    out.push_back({bound->fd, false, bound->path, false, bound->inode});
  }
  if (msgpack.http_tcp_fd >= 0) {
    Result<HttpListener> l = FromSystemd(msgpack.http_tcp_fd, true);
    if (!l.ok()) return fail(l.status());
    out.push_back(*l);
  } else if (!config.http.listen.empty()) {
    Result<HttpListener> l = BindTcp(config.http.listen);
    if (!l.ok()) return fail(l.status());
    out.push_back(*l);
  }
  return out;
}

void ReleaseHttpListeners(const std::vector<HttpListener>& listeners) {
  for (const HttpListener& l : listeners) {
    if (!l.tcp && !l.socket_activated && !l.address.empty()) {
      struct stat st {};
      if (::lstat(l.address.c_str(), &st) == 0 && st.st_ino == l.inode) {
        ::unlink(l.address.c_str());
      }
    }
    ::close(l.fd);
  }
}

}  // namespace hfd::http
