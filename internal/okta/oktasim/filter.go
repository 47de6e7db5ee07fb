package oktasim

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// filter is one clause of Okta's filter language: attribute eq "value".
// The simulator supports no other operator and no and/or.
type filter struct {
	attr  string
	value string
}

var filterAttrs = []string{"profile.login", "profile.email", "id", "status"}

// parseFilter reads `attr eq "value"`, where the value may escape a quote
// or a backslash with a backslash.
func parseFilter(expr string) (filter, error) {
	attr, rest, _ := strings.Cut(strings.TrimSpace(expr), " ")
	if !slices.Contains(filterAttrs, attr) {
		return filter{}, fmt.Errorf("unsupported attribute %q", attr)
	}
	op, rest, _ := strings.Cut(strings.TrimLeft(rest, " "), " ")
	if !strings.EqualFold(op, "eq") {
		return filter{}, fmt.Errorf("unsupported operator %q", op)
	}

	value, tail, err := unquote(strings.TrimLeft(rest, " "))
	if err != nil {
		return filter{}, err
	}
	if strings.TrimSpace(tail) != "" {
		return filter{}, errors.New("unexpected text after the value")
	}
	return filter{attr: attr, value: value}, nil
}

// unquote reads a double-quoted string at the start of s and returns it
// with what follows it.
func unquote(s string) (string, string, error) {
	if !strings.HasPrefix(s, `"`) {
		return "", "", errors.New("the value must be in double quotes")
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return b.String(), s[i+1:], nil
		case c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
			b.WriteByte(s[i+1])
			i++
		case c == '\\':
			return "", "", errors.New(`a backslash may only escape " or \`)
		default:
			b.WriteByte(c)
		}
	}
	return "", "", errors.New("the value has no closing quote")
}

func (f filter) match(u *User) bool {
	switch f.attr {
	case "id":
		return u.ID == f.value
	case "status":
		return u.Status == f.value
	}
	return strings.EqualFold(u.Login, f.value) // login and email are the same here
}
