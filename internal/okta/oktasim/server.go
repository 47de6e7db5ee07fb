package oktasim

import (
	"crypto/rand"
	"fmt"
	"net"
	"net/http/httptest"
)

// Server is a Sim served over HTTP on 127.0.0.1, like an httptest.Server.
type Server struct {
	*Sim

	// URL is the org URL, http://127.0.0.1:port, without a trailing slash.
	URL string

	// Token is the API token the server accepts.
	Token string

	hs *httptest.Server
}

// NewServer starts a simulated org on 127.0.0.1 at a free port. It panics
// when it cannot listen, as httptest does. Call Close when done.
func NewServer(opts ...Option) *Server {
	sim := New(opts...)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("oktasim: cannot listen on 127.0.0.1: %v", err))
	}

	hs := httptest.NewUnstartedServer(sim.Handler())
	_ = hs.Listener.Close() // replaced by one that is surely on 127.0.0.1
	hs.Listener = ln
	hs.Start()
	return &Server{Sim: sim, URL: hs.URL, Token: sim.Token(), hs: hs}
}

// Close shuts the server down, waiting for the requests in flight.
func (s *Server) Close() { s.hs.Close() }

const (
	idChars    = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	tokenChars = idChars + "-_"
)

// newUserID returns an Okta-like user id: "00u" and 17 more characters.
func newUserID() string { return "00u" + randomString(17, idChars) }

// randomString returns n characters of alphabet chosen by crypto/rand.
func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails, per its documentation
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
