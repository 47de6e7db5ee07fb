package web

import (
	"net/url"
	"strconv"
)

func itoa(i int) string { return strconv.Itoa(i) }

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// emailText says whether Okta was asked to send the activation email.
func emailText(send bool) string {
	if send {
		return "yes, Okta sends it"
	}
	return "no; Okta returns a link instead, which dayone does not keep"
}

// fillHref is the link that opens the forms with login filled in.
func fillHref(login string) string { return "/?login=" + url.QueryEscape(login) }
