package okta_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/dayone/dayone/internal/okta"
	"github.com/dayone/dayone/internal/okta/oktasim"
)

func TestFindUserByLogin(t *testing.T) {
	srv, c := newSim(t)
	want := srv.AddUser("ada.lovelace@example.com", oktasim.StatusStaged)

	got, err := c.FindUser(context.Background(), "Ada.Lovelace@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got != (okta.User{ID: want.ID, Login: want.Login, Status: "STAGED"}) {
		t.Errorf("FindUser = %+v, want id %s, login %s, STAGED", got, want.ID, want.Login)
	}
}

// C1: each login travels as one escaped path segment.
func TestFindUserEscapesLoginAsOnePathSegment(t *testing.T) {
	tests := []struct{ login, path string }{
		{"ops#lead@example.com", "/api/v1/users/ops%23lead@example.com"},
		{"anna.test+hr@example.com", "/api/v1/users/anna.test%2Bhr@example.com"},
		{"jürgen.groß@example.com", "/api/v1/users/j%C3%BCrgen.gro%C3%9F@example.com"},
	}
	srv, c := newSim(t)
	// Decoys that a truncated or mangled lookup would find.
	srv.AddUser("ops@example.com", oktasim.StatusStaged)
	srv.AddUser("anna.test hr@example.com", oktasim.StatusStaged)

	for _, tt := range tests {
		t.Run(tt.login, func(t *testing.T) {
			want := srv.AddUser(tt.login, oktasim.StatusStaged)
			srv.ResetCalls()

			got, err := c.FindUser(context.Background(), tt.login)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != want.ID || got.Login != tt.login {
				t.Errorf("FindUser = %+v, want id %s", got, want.ID)
			}
			calls := srv.Calls()
			if len(calls) != 1 || calls[0].Path != tt.path || calls[0].Query != "" {
				t.Errorf("calls = %+v, want one GET of %s", calls, tt.path)
			}
		})
	}
}

func TestFindUserNeverSendsATruncatedLogin(t *testing.T) {
	srv, c := newSim(t)
	srv.AddUser("ops@example.com", oktasim.StatusStaged)

	_, err := c.FindUser(context.Background(), "ops#lead@example.com")
	if !errors.Is(err, okta.ErrNotFound) {
		t.Fatalf("FindUser = %v, want ErrNotFound", err)
	}
	for _, call := range srv.Calls() {
		if !strings.HasSuffix(call.Path, "/ops%23lead@example.com") {
			t.Errorf("call to %s, want the whole login", call.Path)
		}
	}
}

// C2: a login with a slash goes through the filter.
func TestFindUserWithSlashUsesFilter(t *testing.T) {
	srv, c := newSim(t)
	want := srv.AddUser("m.keller/ext@example.com", oktasim.StatusStaged)
	srv.AddUser("m.keller/ext2@example.com", oktasim.StatusStaged)

	got, err := c.FindUser(context.Background(), "m.keller/ext@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID {
		t.Errorf("FindUser = %+v, want id %s", got, want.ID)
	}

	calls := srv.Calls()
	wantFilter := `profile.login eq "m.keller/ext@example.com"`
	if len(calls) != 1 || calls[0].Path != "/api/v1/users" ||
		calls[0].Param("filter") != wantFilter {
		t.Fatalf("calls = %+v, want one list call with filter %s", calls, wantFilter)
	}
	if strings.ContainsAny(calls[0].Query, `+" /`) {
		t.Errorf("raw query %q is not fully encoded", calls[0].Query)
	}
}

func TestFindUserWithSlashNearMatchIsNotFound(t *testing.T) {
	srv, c := newSim(t)
	srv.AddUser("m.keller/ext2@example.com", oktasim.StatusStaged)
	accounts := c.Accounts()

	_, err := accounts.FindUser(context.Background(), "m.keller/ext@example.com")
	if !errors.Is(err, okta.ErrNotFound) {
		t.Fatalf("FindUser = %v, want ErrNotFound", err)
	}
	for _, call := range srv.Calls() {
		if call.Method != http.MethodGet {
			t.Errorf("unexpected call %s %s", call.Method, call.Path)
		}
	}
}

// The filter's answer is checked again: Okta's own matching is not trusted.
func TestFindUserKeepsOnlyExactFilterMatches(t *testing.T) {
	near := `[{"id":"00u1","status":"STAGED","profile":{"login":"m.keller/ext2@example.com"}},` +
		`{"id":"00u2","status":"STAGED","profile":{"login":"x.m.keller/ext@example.com"}}]`
	twice := `[{"id":"00u1","status":"STAGED","profile":{"login":"m.keller/ext@example.com"}},` +
		`{"id":"00u2","status":"ACTIVE","profile":{"login":"M.Keller/ext@example.com"}}]`
	tests := []struct {
		name, body string
		want       error
	}{
		{"near matches only", near, okta.ErrNotFound},
		{"empty list", `[]`, okta.ErrNotFound},
		{"two exact matches", twice, okta.ErrAmbiguous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := newSim(t)
			srv.RespondNext(http.StatusOK, nil, tt.body)

			_, err := c.FindUser(context.Background(), "m.keller/ext@example.com")
			if !errors.Is(err, tt.want) {
				t.Errorf("FindUser = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestFindUserQuotesTheFilterValue(t *testing.T) {
	login := `we"ird\name/x@example.com`
	srv, c := newSim(t)
	want := srv.AddUser(login, oktasim.StatusStaged)

	got, err := c.FindUser(context.Background(), login)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID {
		t.Errorf("FindUser = %+v, want id %s", got, want.ID)
	}
	wantFilter := `profile.login eq "we\"ird\\name/x@example.com"`
	if f := srv.Calls()[0].Param("filter"); f != wantFilter {
		t.Errorf("filter = %s, want %s", f, wantFilter)
	}
}

// Okta finds a user by the short name before "@"; that is not the login.
func TestFindUserRejectsShortNameMatch(t *testing.T) {
	srv, c := newSim(t)
	srv.AddUser("ada.lovelace@example.com", oktasim.StatusStaged)

	_, err := c.FindUser(context.Background(), "ada.lovelace")
	if !errors.Is(err, okta.ErrNotFound) {
		t.Fatalf("FindUser = %v, want ErrNotFound", err)
	}
	if calls := srv.Calls(); len(calls) != 1 || calls[0].Status != http.StatusOK {
		t.Errorf("calls = %+v, want one answered 200 by the simulator", calls)
	}
}
