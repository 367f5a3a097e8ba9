// SPDX-License-Identifier: GPL-2.0
/*
 * vcpuctl metrics --listen [ADDR:]PORT: the Prometheus exposition served
 * at /metrics over HTTP by libmicrohttpd (Debian's libmicrohttpd12), the
 * stats read afresh for every scrape, as node_exporter does.
 *
 * vcpuctl is linked static (the test VM's initramfs has no libc) and
 * Debian ships libmicrohttpd as a shared library only, so it is loaded
 * with dlopen() when --listen is given, like systemd loads its optional
 * libraries: everything else works without it, and --listen says clearly
 * what is missing. The types and constants are the library's own
 * (<microhttpd.h>); each function pointer has the type of the function
 * it stands for, so a mismatch is a compile error.
 *
 * The daemon runs in MHD's external-polling mode on this one thread (its
 * epoll fd and a signalfd for SIGINT/SIGTERM in one poll()): a library
 * dlopen()ed by a static binary must not start threads of its own.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <microhttpd.h>

#include "metrics_http.h"
#include "vcpuctl.h"
#include "vmstats.h"

#define MHD_SONAME	"libmicrohttpd.so.12"
#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

static struct {
	typeof(MHD_start_daemon) *start_daemon;
	typeof(MHD_stop_daemon) *stop_daemon;
	typeof(MHD_run) *run;
	typeof(MHD_get_daemon_info) *get_daemon_info;
	typeof(MHD_get_timeout) *get_timeout;
	typeof(MHD_create_response_from_buffer) *create_response_from_buffer;
	typeof(MHD_add_response_header) *add_response_header;
	typeof(MHD_queue_response) *queue_response;
	typeof(MHD_destroy_response) *destroy_response;
} mhd;

static int mhd_load(void)
{
	static const struct {
		const char *name;
		size_t off;
	} syms[] = {
#define SYM(f, n) { #n, offsetof(typeof(mhd), f) }
		SYM(start_daemon, MHD_start_daemon),
		SYM(stop_daemon, MHD_stop_daemon),
		SYM(run, MHD_run),
		SYM(get_daemon_info, MHD_get_daemon_info),
		SYM(get_timeout, MHD_get_timeout),
		SYM(create_response_from_buffer, MHD_create_response_from_buffer),
		SYM(add_response_header, MHD_add_response_header),
		SYM(queue_response, MHD_queue_response),
		SYM(destroy_response, MHD_destroy_response),
#undef SYM
	};
	unsigned int i;
	void *lib;

	lib = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		p_err("metrics: --listen needs libmicrohttpd (Debian's libmicrohttpd12): %s",
		      dlerror());
		return -ENOENT;
	}
	for (i = 0; i < ARRAY_SIZE(syms); i++) {
		void *p = dlsym(lib, syms[i].name);

		if (!p) {
			p_err("metrics: %s has no %s: not a libmicrohttpd this vcpuctl can use",
			      MHD_SONAME, syms[i].name);
			dlclose(lib);
			return -ENOENT;
		}
		memcpy((char *)&mhd + syms[i].off, &p, sizeof(p));
	}
	return 0;
}

int metrics_parse_listen(const char *s, struct sockaddr_storage *ss,
			 socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2] = "127.0.0.1";
	const char *port = s, *colon = strrchr(s, ':');
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	bool v6 = s[0] == '[';
	unsigned int p;

	memset(ss, 0, sizeof(*ss));
	if (v6) {		/* [IPv6]:PORT */
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':' || (size_t)(end - s - 1) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, end - s - 1);
		host[end - s - 1] = 0;
		port = end + 2;
	} else if (colon) {	/* [IPv4]:PORT */
		if ((size_t)(colon - s) >= sizeof(host))
			return -EINVAL;
		if (colon != s) {
			memcpy(host, s, colon - s);
			host[colon - s] = 0;
		}
		port = colon + 1;
	}
	if (parse_uint(port, 0, 65535, &p))
		return -ERANGE;
	if (!v6 && inet_pton(AF_INET, host, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(p);
		*len = sizeof(*in);
		return 0;
	}
	/* IPv6 only in brackets: "::1:80" would be ambiguous. */
	if (v6 && inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(p);
		*len = sizeof(*in6);
		return 0;
	}
	return -EINVAL;
}

/* "ADDR:PORT" or "[ADDR]:PORT" of a bound socket, for the messages. */
static void addr_str(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		snprintf(buf, size, "[%s]:%u", a, ntohs(in6->sin6_port));
	} else {
		const struct sockaddr_in *in = (const void *)ss;

		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		snprintf(buf, size, "%s:%u", a, ntohs(in->sin_port));
	}
}

struct server {
	const char *dir;
	unsigned long requests, scrapes, errors;
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status,
			     const char *type, char *body, size_t len,
			     const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = mhd.create_response_from_buffer(len, body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (allow)
		mhd.add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = mhd.queue_response(conn, status, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **req_cls)
{
	static const char text[] = "text/plain; charset=utf-8";
	struct server *srv = cls;
	struct vm_stats *vms;
	char msg[256], *buf = NULL;
	size_t len = 0;
	unsigned int n;
	enum MHD_Result ret;
	FILE *f;
	int err;

	(void)version;
	(void)upload;
	(void)req_cls;
	/* A body (none expected) arrives in later calls: ignore it. */
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	srv->requests++;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		n = snprintf(msg, sizeof(msg), "method %s not allowed; GET /metrics\n",
			     method);
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, text, msg,
			     n < sizeof(msg) ? n : sizeof(msg) - 1, "GET, HEAD");
	}
	/* GET and HEAD have no body: the first call answers. */
	if (strcmp(url, "/metrics")) {
		n = snprintf(msg, sizeof(msg), "%s: not found; the metrics are at /metrics\n",
			     url);
		return reply(conn, MHD_HTTP_NOT_FOUND, text, msg,
			     n < sizeof(msg) ? n : sizeof(msg) - 1, NULL);
	}
	err = vmstats_read_all(srv->dir, &vms, &n);
	if (err) {
		srv->errors++;
		n = snprintf(msg, sizeof(msg), "%s: %s%s\n",
			     srv->dir ? srv->dir : vmstats_dir(), strerror(-err),
			     err == -ENOENT ? " (is xvcpu.ko loaded and debugfs mounted?)" : "");
		return reply(conn, MHD_HTTP_SERVICE_UNAVAILABLE, text, msg,
			     n < sizeof(msg) ? n : sizeof(msg) - 1, NULL);
	}
	f = open_memstream(&buf, &len);
	if (f) {
		metrics_render(f, vms, n);
		if (fclose(f)) {
			free(buf);
			buf = NULL;
		}
	}
	vmstats_free(vms, n);
	if (!buf) {
		srv->errors++;
		return MHD_NO;
	}
	srv->scrapes++;
	ret = reply(conn, MHD_HTTP_OK, PROM_CONTENT_TYPE, buf, len, NULL);
	free(buf);
	return ret;
}

static void on_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];
	size_t len;

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	len = strlen(buf);
	while (len && buf[len - 1] == '\n')
		buf[--len] = 0;
	p_warn("metrics: http: %s", buf);
}

/* The listening socket, with an error line of its own for each failure. */
static int open_listener(const char *spec, struct sockaddr_storage *ss,
			 socklen_t len, char *where, size_t wsize)
{
	int fd, one = 1;

	addr_str(ss, where, wsize);
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		p_err("metrics: --listen %s: socket: %s", spec, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)ss, len)) {
		int e = errno;

		p_err("metrics: --listen %s: cannot bind %s: %s%s", spec, where,
		      strerror(e),
		      e == EADDRINUSE ? " (another program listens there)" :
		      e == EADDRNOTAVAIL ? " (not an address of this host)" :
		      e == EACCES ? " (ports below 1024 need privileges)" : "");
		close(fd);
		return -1;
	}
	if (listen(fd, 16)) {
		p_err("metrics: --listen %s: listen: %s", spec, strerror(errno));
		close(fd);
		return -1;
	}
	/* Port 0 took a free port: say which. */
	len = sizeof(*ss);
	if (!getsockname(fd, (struct sockaddr *)ss, &len))
		addr_str(ss, where, wsize);
	return fd;
}

int metrics_serve(const char *dir, const char *spec)
{
	struct server srv = { .dir = dir };
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage ss;
	struct signalfd_siginfo si;
	struct MHD_Daemon *d;
	struct pollfd pfd[2];
	char where[INET6_ADDRSTRLEN + 16];
	sigset_t sigs, old;
	socklen_t len;
	int fd, sfd, rc = EXIT_FAIL;

	switch (metrics_parse_listen(spec, &ss, &len)) {
	case 0:
		break;
	case -ERANGE:
		p_err("metrics: --listen '%s': bad port (want [ADDR:]PORT, PORT 0-65535)",
		      spec);
		return EXIT_USAGE;
	default:
		p_err("metrics: --listen '%s': bad address (want [ADDR:]PORT, ADDR a numeric IPv4 address or [IPv6]; default 127.0.0.1)",
		      spec);
		return EXIT_USAGE;
	}
	if (mhd_load())
		return EXIT_FAIL;
	fd = open_listener(spec, &ss, len, where, sizeof(where));
	if (fd < 0)
		return EXIT_FAIL;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, &old);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		p_err("metrics: signalfd: %s", strerror(errno));
		close(fd);
		goto out_mask;
	}
	d = mhd.start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
			     on_request, &srv,
			     /* first, or MHD logs some messages itself */
			     MHD_OPTION_EXTERNAL_LOGGER, on_log, NULL,
			     MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
			     MHD_OPTION_CONNECTION_LIMIT, 64u,
			     MHD_OPTION_CONNECTION_TIMEOUT, 10u,
			     MHD_OPTION_END);
	if (!d) {
		p_err("metrics: libmicrohttpd could not start on %s", where);
		close(fd);
		goto out_sfd;
	}
	info = mhd.get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info) {
		p_err("metrics: libmicrohttpd has no epoll fd");
		goto out_stop;
	}
	p_info("metrics: serving http://%s/metrics (SIGINT or SIGTERM stops)", where);
	pfd[0] = (struct pollfd){ .fd = info->epoll_fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	for (;;) {
		MHD_UNSIGNED_LONG_LONG ms;
		int timeout = 1000;

		if (mhd.get_timeout(d, &ms) == MHD_YES && ms < 1000)
			timeout = (int)ms;
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR) {
			p_err("metrics: poll: %s", strerror(errno));
			goto out_stop;
		}
		if (pfd[1].revents && read(sfd, &si, sizeof(si)) == sizeof(si))
			break;
		if (mhd.run(d) != MHD_YES) {
			p_err("metrics: libmicrohttpd failed on %s", where);
			goto out_stop;
		}
	}
	p_info("metrics: %s: stopped on %s after %lu requests (%lu scrapes, %lu failed)",
	       where, si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT", srv.requests, srv.scrapes,
	       srv.errors);
	rc = EXIT_OK;
out_stop:
	mhd.stop_daemon(d);	/* closes the listening socket too */
out_sfd:
	close(sfd);
out_mask:
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}
