package store_test

import (
	"context"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/store"
)

// The callers every rights test tries.
var (
	anon = context.Background()
	sys  = shrooms.NewSystemContext(context.Background())
)

// as returns a context acting for u, as the handlers make it.
func as(u *shrooms.User) context.Context { return shrooms.NewContextWithUser(context.Background(), u) }

// people is a node (organisation "org", every module on, default grants)
// with an admin, a staff member and a member, all active.
type people struct {
	db     *store.Services
	clock  *testClock
	org    *shrooms.Actor
	admin  *shrooms.User
	staff  *shrooms.User
	member *shrooms.User
}

func newPeople(t *testing.T) *people {
	t.Helper()
	db, clock := openDB(t)
	p := &people{db: db, clock: clock, org: initNode(t, db, false)}
	p.admin = createUser(t, db, "ada", shrooms.RoleAdmin)
	p.staff = createUser(t, db, "sam", shrooms.RoleStaff)
	p.member = createUser(t, db, "mia", shrooms.RoleMember)
	return p
}

// createUser creates an active user name@example.org with the test
// password, as the system.
func createUser(t *testing.T, db *store.Services, name string, role shrooms.Role) *shrooms.User {
	t.Helper()
	u := &shrooms.User{Username: name, Email: name + "@example.org", Name: name + " Name", Role: role}
	if err := db.Users.CreateUser(sys, u, password); err != nil {
		t.Fatalf("CreateUser %s: %v", name, err)
	}
	return u
}

// caller is one of the principals a rights test tries.
type caller struct {
	name string
	ctx  func(p *people) context.Context
}

// callers are anonymous, member, staff, admin and system, in the order of
// the want columns of rights tables.
var callers = []caller{
	{"anonymous", func(*people) context.Context { return anon }},
	{"member", func(p *people) context.Context { return as(p.member) }},
	{"staff", func(p *people) context.Context { return as(p.staff) }},
	{"admin", func(p *people) context.Context { return as(p.admin) }},
	{"system", func(*people) context.Context { return sys }},
}

// login opens a session for username with the test password.
func login(t *testing.T, db *store.Services, username string) string {
	t.Helper()
	secret, _, _, err := db.Sessions.Login(anon, shrooms.LoginRequest{Login: username, Password: password, Address: "192.0.2.1"})
	if err != nil {
		t.Fatalf("Login %s: %v", username, err)
	}
	return secret
}

// ptr returns a pointer to v, for the optional fields of updates.
func ptr[T any](v T) *T { return &v }

// setModules turns on exactly mods, as the system.
func setModules(t *testing.T, db *store.Services, mods ...string) {
	t.Helper()
	s, err := db.Settings.FindSettings(sys)
	if err != nil {
		t.Fatal(err)
	}
	s.Modules = mods
	if err := db.Settings.UpdateSettings(sys, s); err != nil {
		t.Fatalf("UpdateSettings: %v", err)
	}
}

// count runs a COUNT query on the raw database file.
func count(t *testing.T, db *store.Services, query string, args ...any) int {
	t.Helper()
	var n int
	if err := rawDB(t, db.Path()).QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
