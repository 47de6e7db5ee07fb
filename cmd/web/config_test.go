package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const testToken = "00TOPSECRET-token-value-1234567890"

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigDefaults(t *testing.T) {
	c, err := loadConfig(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DBPath != "dayone.db" || c.TimeZone != "Europe/Berlin" {
		t.Errorf("defaults %+v", c)
	}
	if !c.Local() || !c.OktaSendEmail || c.AllowReenable || len(c.LoginDomains) != 0 {
		t.Errorf("defaults %+v", c)
	}
}

func TestConfigReadsEverySetting(t *testing.T) {
	c, err := loadConfig(envOf(map[string]string{
		"DAYONE_ADDR": "[::1]:9000", "DAYONE_DB": "/tmp/x.db",
		"DAYONE_TIMEZONE":       "America/New_York",
		"DAYONE_LOGIN_DOMAINS":  " Example.com, corp.example.org ,",
		"OKTA_ORG_URL":          "https://acme.okta.com",
		"OKTA_API_TOKEN":        testToken,
		"OKTA_SEND_EMAIL":       "false",
		"DAYONE_ALLOW_REENABLE": "1",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "[::1]:9000" || c.DBPath != "/tmp/x.db" || c.TimeZone != "America/New_York" ||
		strings.Join(c.LoginDomains, ",") != "example.com,corp.example.org" ||
		c.Local() || c.OktaSendEmail || !c.AllowReenable || string(c.OktaToken) != testToken {
		t.Errorf("config %+v", c)
	}
	for _, format := range []string{"%v", "%+v", "%#v"} {
		if s := fmt.Sprintf(format, c); strings.Contains(s, testToken) {
			t.Errorf("%s prints the token: %s", format, s)
		}
	}
}

func TestConfigAcceptsTheSimulatorOnLoopbackOverHTTP(t *testing.T) {
	_, err := loadConfig(envOf(map[string]string{
		"OKTA_ORG_URL": "http://127.0.0.1:9999", "OKTA_API_TOKEN": testToken,
	}))
	if err != nil {
		t.Fatal(err)
	}
}

func TestConfigErrorsNameTheSetting(t *testing.T) {
	cases := []struct {
		name    string
		env     map[string]string
		setting string
	}{
		{"bad zone", map[string]string{"DAYONE_TIMEZONE": "Mars/Olympus"}, "DAYONE_TIMEZONE"},
		{"bad send email", map[string]string{"OKTA_SEND_EMAIL": "yes please"}, "OKTA_SEND_EMAIL"},
		{"bad reenable", map[string]string{"DAYONE_ALLOW_REENABLE": "maybe"},
			"DAYONE_ALLOW_REENABLE"},
		{"http org", map[string]string{"OKTA_ORG_URL": "http://acme.okta.com",
			"OKTA_API_TOKEN": testToken}, "OKTA_ORG_URL"},
		{"org without token", map[string]string{"OKTA_ORG_URL": "https://acme.okta.com"},
			"OKTA_API_TOKEN"},
		{"token without org", map[string]string{"OKTA_API_TOKEN": testToken}, "OKTA_ORG_URL"},
		{"not a url", map[string]string{"OKTA_ORG_URL": "acme", "OKTA_API_TOKEN": testToken},
			"OKTA_ORG_URL"},
		{"all interfaces", map[string]string{"DAYONE_ADDR": "0.0.0.0:8080"}, "DAYONE_ADDR"},
		{"no host", map[string]string{"DAYONE_ADDR": ":8080"}, "DAYONE_ADDR"},
		{"lan address", map[string]string{"DAYONE_ADDR": "192.168.1.5:8080"}, "DAYONE_ADDR"},
		{"no port", map[string]string{"DAYONE_ADDR": "127.0.0.1"}, "DAYONE_ADDR"},
		{"bad domain", map[string]string{"DAYONE_LOGIN_DOMAINS": "@example.com"},
			"DAYONE_LOGIN_DOMAINS"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { refusedNaming(t, c.env, c.setting) })
	}
}

// refusedNaming checks that the settings env are refused with an error that
// names setting and does not hold the token.
func refusedNaming(t *testing.T, env map[string]string, setting string) {
	t.Helper()
	_, err := loadConfig(envOf(env))
	if err == nil || !strings.Contains(err.Error(), setting) {
		t.Fatalf("error %v, want one naming %s", err, setting)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("the error holds the token: %v", err)
	}
}

func TestConfigNamesEveryBadSettingAtOnce(t *testing.T) {
	_, err := loadConfig(envOf(map[string]string{
		"DAYONE_TIMEZONE": "Nowhere", "OKTA_SEND_EMAIL": "2", "DAYONE_ADDR": "0.0.0.0:1",
	}))
	for _, setting := range []string{"DAYONE_TIMEZONE", "OKTA_SEND_EMAIL", "DAYONE_ADDR"} {
		if err == nil || !strings.Contains(err.Error(), setting) {
			t.Errorf("error %v does not name %s", err, setting)
		}
	}
}

func TestTheTokenNeverPrints(t *testing.T) {
	cfg, err := loadConfig(envOf(map[string]string{
		"OKTA_ORG_URL": "https://acme.okta.com", "OKTA_API_TOKEN": testToken}))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "cfg", cfg, "token", cfg.OktaToken)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "token", cfg.OktaToken)
	asJSON, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	printed := fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg.OktaToken)
	for _, out := range []string{logs.String(), string(asJSON), printed} {
		if strings.Contains(out, testToken) {
			t.Errorf("the token shows in %s", out)
		}
	}
}
