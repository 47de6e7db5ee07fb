package main

import (
	"net"
	"net/http"
)

// loopbackHostsOnly refuses requests whose Host is not a loopback name or
// address. Loopback is dayone's only access control until sign-in exists, and
// a web page could otherwise reach it through a name that its attacker points
// at 127.0.0.1 (DNS rebinding): the browser would then call it same-origin.
func loopbackHostsOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		if !loopback(host) {
			http.Error(w, "dayone answers only to 127.0.0.1, [::1] or localhost",
				http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}
