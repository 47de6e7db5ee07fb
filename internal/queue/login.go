package queue

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxLoginLength is Okta's limit on a login, in characters.
const maxLoginLength = 100

// LoginKey is the form of a login used to compare two logins: compatibility
// normalised and lower-case, so that logins that look the same (composed or
// decomposed umlauts, full-width letters, capitals) are the same login.
func LoginKey(login string) string {
	return strings.ToLower(norm.NFKC.String(strings.TrimSpace(login)))
}

// checkLogin trims the login, normalises its Unicode form and checks that it
// is an e-mail style login (Okta's default), in an allowed domain if any.
// The errors are *InputError for field "login".
func (s *Service) checkLogin(raw string) (string, error) {
	login := norm.NFC.String(strings.TrimSpace(raw))
	if err := checkLoginText(login); err != nil {
		return "", err
	}

	local, domain, _ := strings.Cut(login, "@")
	if local == "" || !validDomain(domain) {
		return "", invalid("login", "login %q is not an address such as "+
			"first.last@example.com", login)
	}
	if len(s.cfg.LoginDomains) == 0 || allowedDomain(domain, s.cfg.LoginDomains) {
		return login, nil
	}
	return "", invalid("login", "login must be an address at %s",
		strings.Join(s.cfg.LoginDomains, " or "))
}

// checkLoginText refuses what no login holds: nothing, too much, broken
// UTF-8, spaces, control characters and invisible formatting characters
// (zero-width spaces, direction marks), which make two logins look alike.
func checkLoginText(login string) error {
	switch {
	case login == "":
		return invalid("login", "login is required")
	case !utf8.ValidString(login) || strings.ContainsRune(login, utf8.RuneError):
		// JSON decoding turns broken UTF-8 into U+FFFD; neither is a login.
		return invalid("login", "login is not valid UTF-8 text")
	case utf8.RuneCountInString(login) > maxLoginLength:
		return invalid("login", "login is longer than %d characters", maxLoginLength)
	case strings.IndexFunc(login, hidden) >= 0:
		return invalid("login", "login must not contain spaces, control characters "+
			"or invisible characters")
	}
	return nil
}

func hidden(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// validDomain accepts a dotted name with no empty label and no second "@".
func validDomain(domain string) bool {
	if strings.Contains(domain, "@") || !strings.Contains(domain, ".") {
		return false
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" {
			return false
		}
	}
	return true
}

func allowedDomain(domain string, allowed []string) bool {
	for _, a := range allowed {
		if strings.EqualFold(domain, a) {
			return true
		}
	}
	return false
}
