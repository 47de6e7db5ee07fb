package oktasim

import "slices"

// demoUsers are the local parts and statuses SeedDemo adds. The last four
// STAGED ones carry the characters that logins get wrong most often.
var demoUsers = []struct{ local, status string }{
	{"ada.lovelace", StatusStaged},
	{"grace.hopper", StatusStaged},
	{"alan.turing", StatusStaged},
	{"katherine.johnson", StatusStaged},
	{"margaret.hamilton", StatusActive},
	{"dorothy.vaughan", StatusProvisioned},
	{"edsger.dijkstra", StatusSuspended},
	{"ops#lead", StatusStaged},
	{"anna.test+hr", StatusStaged},
	{"jürgen.groß", StatusStaged},
	{"m.keller/ext", StatusStaged},
}

// SeedDemo adds the demo users for domain ("example.com" when empty):
// ada.lovelace, grace.hopper, alan.turing, katherine.johnson, ops#lead,
// anna.test+hr, jürgen.groß and m.keller/ext are STAGED,
// margaret.hamilton is ACTIVE, dorothy.vaughan PROVISIONED and
// edsger.dijkstra SUSPENDED. Logins that exist already are left alone.
// It returns the demo users.
func (s *Sim) SeedDemo(domain string) []User {
	if domain == "" {
		domain = "example.com"
	}
	s.mu.Lock()
	for _, d := range demoUsers {
		login := d.local + "@" + domain
		if s.byLogin(login) == nil {
			s.add(login, d.status)
		}
		if !slices.Contains(s.demo, login) {
			s.demo = append(s.demo, login)
		}
	}
	s.mu.Unlock()
	return s.DemoUsers()
}

// DemoUsers returns the users seeded by SeedDemo, as they are now.
func (s *Sim) DemoUsers() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []User
	for _, login := range s.demo {
		if u := s.byLogin(login); u != nil {
			out = append(out, *u)
		}
	}
	return out
}
