package okta_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dayone/dayone/internal/okta"
)

const secretToken = "00SeCrEt-token-never-shown_1234567890abcd"

func TestNewRejectsBadOrgURLs(t *testing.T) {
	tests := map[string]string{
		"plain http elsewhere": "http://okta.example.com",
		"http to another 127":  "http://127.0.0.2:8080",
		"empty":                "",
		"no scheme":            "acme.okta.com",
		"other scheme":         "ftp://acme.okta.com",
		"with a path":          "https://acme-admin.okta.com/admin/dashboard",
		"with a query":         "https://acme.okta.com?x=1",
		"with credentials":     "https://admin:hunter2@acme.okta.com",
		"bad port":             "https://acme.okta.com:port",
	}
	for name, raw := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := okta.New(okta.Config{OrgURL: raw, Token: secretToken})
			if err == nil {
				t.Fatalf("New(%q) succeeded", raw)
			}
			if !strings.Contains(err.Error(), "OKTA_ORG_URL") {
				t.Errorf("error %q does not name OKTA_ORG_URL", err)
			}
			mustNotContain(t, err, secretToken, "hunter2")
		})
	}
}

func TestNewHTTPErrorSaysHTTPSIsRequired(t *testing.T) {
	_, err := okta.New(okta.Config{OrgURL: "http://okta.example.com", Token: secretToken})
	if err == nil || !strings.Contains(err.Error(), "https") {
		t.Fatalf("New = %v, want an error that asks for https", err)
	}
}

func TestNewKeepsSchemeHostAndPort(t *testing.T) {
	tests := map[string]string{
		"http://127.0.0.1:1234":     "http://127.0.0.1:1234",
		"http://[::1]:8443":         "http://[::1]:8443",
		"http://localhost:9000":     "http://localhost:9000",
		"https://acme.okta.com/":    "https://acme.okta.com",
		"https://acme.okta.com:444": "https://acme.okta.com:444",
		" HTTPS://acme.okta.com ":   "https://acme.okta.com",
	}
	for raw, want := range tests {
		c, err := okta.New(okta.Config{OrgURL: raw, Token: secretToken})
		if err != nil {
			t.Errorf("New(%q): %v", raw, err)
			continue
		}
		if got := c.OrgURL(); got != want {
			t.Errorf("New(%q).OrgURL() = %q, want %q", raw, got, want)
		}
	}
}

func TestNewRequiresAToken(t *testing.T) {
	for _, token := range []string{"", "   ", "SSWS ", "two words"} {
		_, err := okta.New(okta.Config{OrgURL: "https://acme.okta.com", Token: token})
		if err == nil {
			t.Errorf("New with token %q succeeded", token)
		}
	}
}

func TestTokenNeverPrinted(t *testing.T) {
	cfg := okta.Config{OrgURL: "https://acme.okta.com", Token: secretToken}
	c, err := okta.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{cfg, &cfg, c} {
			if s := fmt.Sprintf(format, v); strings.Contains(s, secretToken) {
				t.Errorf("Sprintf(%q, %T) = %q shows the token", format, v, s)
			}
		}
	}
}

func TestRequestHeaders(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		fmt.Fprint(w, `{"id":"00u1","status":"STAGED","profile":{"login":"a@example.com"}}`)
	}))
	defer srv.Close()
	c := newClient(t, okta.Config{OrgURL: srv.URL, Token: "SSWS " + secretToken})

	if _, err := c.FindUser(context.Background(), "a@example.com"); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Authorization": "SSWS " + secretToken,
		"Accept":        "application/json",
		"User-Agent":    okta.DefaultUserAgent,
	}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("header %s = %q, want %q", k, got.Get(k), v)
		}
	}
}
