/* SPDX-License-Identifier: GPL-2.0 */
/* vcpuctl metrics --listen: /metrics over HTTP (metrics_http.c). */
#ifndef VCPUCTL_METRICS_HTTP_H
#define VCPUCTL_METRICS_HTTP_H

#include <sys/socket.h>

/*
 * [ADDR:]PORT -> a socket address: ADDR a numeric IPv4 address or an
 * IPv6 one in brackets, 127.0.0.1 when left out; PORT 0-65535 (0: any
 * free port). 0, -EINVAL (address) or -ERANGE (port).
 */
int metrics_parse_listen(const char *s, struct sockaddr_storage *ss,
			 socklen_t *len);

/*
 * Serve every VM's stats (debugfs @dir, NULL: the default) in the
 * Prometheus text format at http://ADDR:PORT/metrics until SIGINT or
 * SIGTERM. libmicrohttpd is loaded here (dlopen). An exit status.
 */
int metrics_serve(const char *dir, const char *spec);

#endif /* VCPUCTL_METRICS_HTTP_H */
