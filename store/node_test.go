package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

func TestInitNode(t *testing.T) {
	t.Parallel()
	ctx := shrooms.NewSystemContext(context.Background())
	db, _ := openDB(t)

	if _, err := db.Nodes.FindNode(ctx); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
		t.Fatalf("FindNode before init = %v, want ENOTFOUND", err)
	}

	admin := &shrooms.User{Username: "ada", Email: "ada@workshop.example", Name: "Ada"}
	org, err := db.Nodes.InitNode(ctx, shrooms.NodeInit{
		Node:                      shrooms.Node{PublicURL: testURL + "/", OrgHandle: "repair", Name: "Repair Café", Modules: []string{"inventory", "Loans"}},
		OrgName:                   "Repair Café Nord",
		OrgSummary:                "We fix things.",
		ManuallyApprovesFollowers: true,
		Admin:                     admin,
		AdminPassword:             "correct horse battery",
	})
	if err != nil {
		t.Fatalf("InitNode: %v", err)
	}

	t.Run("organization actor", func(t *testing.T) {
		x, _ := shrooms.NewIRIs(testURL)
		want := shrooms.Actor{
			ID: org.ID, IRI: x.Actor("repair"), Kind: shrooms.KindOrganization, Handle: "repair",
			Host: x.Host(), Local: true, Name: "Repair Café Nord", Summary: "We fix things.",
			URL: x.Actor("repair"), Inbox: x.Inbox("repair"), Outbox: x.Outbox("repair"),
			Followers: x.Followers("repair"), Following: x.Following("repair"),
			SharedInbox: x.SharedInbox(), KeyID: x.Key("repair"),
			PublicKeyPEM: org.PublicKeyPEM, PrivateKeyPEM: org.PrivateKeyPEM,
			ManuallyApprovesFollowers: true, CreatedAt: t0, UpdatedAt: t0,
		}
		if org.PrivateKeyPEM == "" || org.PublicKeyPEM == "" {
			t.Fatal("organization has no keys")
		}
		stored, err := db.Actors.FindLocalActor(ctx, "repair")
		if err != nil {
			t.Fatal(err)
		}
		for name, got := range map[string]*shrooms.Actor{"returned": org, "stored": stored} {
			if !reflect.DeepEqual(*got, want) {
				t.Fatalf("%s actor\n got %+v\nwant %+v", name, *got, want)
			}
		}
	})

	t.Run("node settings", func(t *testing.T) {
		n, err := db.Nodes.FindNode(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := shrooms.Node{PublicURL: testURL, OrgHandle: "repair", Name: "Repair Café", Modules: []string{"inventory", "loans"}}
		if !reflect.DeepEqual(*n, want) {
			t.Fatalf("node = %+v, want %+v", *n, want)
		}
	})

	t.Run("admin and its person actor", func(t *testing.T) {
		u, err := db.Users.FindUserByUsername(ctx, "ada")
		if err != nil {
			t.Fatal(err)
		}
		if u.Role != shrooms.RoleAdmin || u.ID != admin.ID || u.ActorID == 0 {
			t.Fatalf("admin = %+v", u)
		}
		a, err := db.Actors.FindActorByID(ctx, u.ActorID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Kind != shrooms.KindPerson || a.Handle != "ada" || !a.Local || a.Name != "Ada" {
			t.Fatalf("admin actor = %+v", a)
		}
	})

	t.Run("second call", func(t *testing.T) {
		_, err := db.Nodes.InitNode(ctx, shrooms.NodeInit{Node: shrooms.Node{OrgHandle: "other", Name: "Other"}})
		wantCode(t, err, shrooms.ECONFLICT, "node already initialised")
	})
}

func TestInitNodeInvalid(t *testing.T) {
	t.Parallel()
	ctx := shrooms.NewSystemContext(context.Background())
	valid := func() shrooms.NodeInit {
		return shrooms.NodeInit{
			Node:          shrooms.Node{OrgHandle: "org", Name: "Org"},
			Admin:         &shrooms.User{Username: "ada", Email: "ada@example.org"},
			AdminPassword: "long enough password",
		}
	}
	for _, tc := range []struct {
		name   string
		change func(*shrooms.NodeInit)
		code   string
		msg    string
	}{
		{"bad handle", func(i *shrooms.NodeInit) { i.Node.OrgHandle = "Big Org" }, shrooms.EINVALID, "org_handle"},
		{"empty handle", func(i *shrooms.NodeInit) { i.Node.OrgHandle = "" }, shrooms.EINVALID, "org_handle"},
		{"empty name", func(i *shrooms.NodeInit) { i.Node.Name = "  " }, shrooms.EINVALID, "name"},
		{"unknown module", func(i *shrooms.NodeInit) { i.Node.Modules = []string{"loans", "casino"} }, shrooms.EINVALID, "casino"},
		{"other public URL", func(i *shrooms.NodeInit) { i.Node.PublicURL = "https://elsewhere.example" }, shrooms.EINVALID, "public_url"},
		{"admin email", func(i *shrooms.NodeInit) { i.Admin.Email = "nope" }, shrooms.EINVALID, "admin email"},
		{"admin password", func(i *shrooms.NodeInit) { i.AdminPassword = "short" }, shrooms.EINVALID, "admin password"},
		{"admin username", func(i *shrooms.NodeInit) { i.Admin.Username = "Ada!" }, shrooms.EINVALID, "admin username"},
		{"admin role", func(i *shrooms.NodeInit) { i.Admin.Role = shrooms.RoleMember }, shrooms.EINVALID, "admin role"},
		{"admin named like the organisation", func(i *shrooms.NodeInit) { i.Admin.Username = "org" }, shrooms.ECONFLICT, "admin username"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := openDB(t)
			init := valid()
			tc.change(&init)
			_, err := db.Nodes.InitNode(ctx, init)
			wantCode(t, err, tc.code, tc.msg)
			// Nothing of a failed init is kept.
			if _, err := db.Nodes.FindNode(ctx); shrooms.ErrorCode(err) != shrooms.ENOTFOUND {
				t.Fatalf("FindNode after failed init = %v", err)
			}
			if n, _ := db.CountLocalActors(ctx, shrooms.KindOrganization); n != 0 {
				t.Fatalf("%d organization actors after failed init", n)
			}
			if n, _ := db.Users.CountUsers(ctx); n != 0 {
				t.Fatalf("%d users after failed init", n)
			}
		})
	}
	t.Run("without admin, every module", func(t *testing.T) {
		db, _ := openDB(t)
		initNode(t, db, false)
		n, err := db.Nodes.FindNode(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(n.Modules, shrooms.Modules) {
			t.Fatalf("modules = %v, want all", n.Modules)
		}
		if c, _ := db.Users.CountUsers(ctx); c != 0 {
			t.Fatalf("users = %d", c)
		}
	})
}

func TestNodeStats(t *testing.T) {
	t.Parallel()
	ctx := shrooms.NewSystemContext(context.Background())
	db, clock := openDB(t)
	org := initNode(t, db, false)
	var secrets []string
	for _, name := range []string{"ann", "bob", "cid"} {
		u := &shrooms.User{Username: name, Email: name + "@example.org", Role: shrooms.RoleMember}
		if err := db.Users.CreateUser(ctx, u, "long enough password"); err != nil {
			t.Fatal(err)
		}
		secret, _, err := db.Users.CreateAPIToken(ctx, u.ID, "cli")
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, secret)
	}
	use := func(i int) {
		if _, err := db.Users.FindUserByAPIToken(ctx, secrets[i]); err != nil {
			t.Fatal(err)
		}
	}
	use(0) // ann: 100 days ago
	clock.Add(60 * 24 * time.Hour)
	use(1) // bob: 40 days ago
	clock.Add(40 * 24 * time.Hour)
	use(2) // cid: now

	// Public posts count; a follow (addressed to one actor) does not.
	remote := remoteActor(t, db, "partner.example", "org")
	if _, err := db.Follows.CreateFollow(ctx, org.ID, remote.ID); err != nil {
		t.Fatal(err)
	}
	insertPublicPost(t, db, org)

	got, err := db.Nodes.NodeStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := shrooms.NodeStats{Users: 3, ActiveMonth: 1, ActiveHalfyear: 3, LocalPosts: 1}
	if got != want {
		t.Fatalf("NodeStats = %+v, want %+v", got, want)
	}
}
