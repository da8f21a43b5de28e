package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/federation"
	"github.com/shrooms-org/shrooms/internal/node"
)

// runAdmin runs one admin subcommand against a node's data dir. It works
// while the node runs: the commands write through the same transactional
// store, and the running node's workers pick up what they queue.
func runAdmin(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError("admin: missing subcommand")
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("admin "+sub, flag.ContinueOnError)
	configPath, dataDir := commonFlags(fs)
	user := fs.String("user", "", "username (token create)")
	label := fs.String("name", "cli", "token label (token create)")
	state := fs.String("state", "", "filter by state: pending, delivered, dead (deliveries); pending, sending, sent, dead (mail)")
	expires := fs.String("expires", "", "invite lifetime, e.g. 7d or 48h (invite create)")
	note := fs.String("note", "", "whom the invite is for (invite create)")
	modules := fs.String("modules", "", "modules shared with the partner, e.g. inventory,stock (partner share)")
	olderThan := fs.String("older-than", "", "retention, e.g. 30d or 720h; default federation.queue_retention (queue prune)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	cmd, ok := adminCommands[sub]
	if !ok {
		return usageError("admin: unknown subcommand %q", sub)
	}
	m, err := openExisting(ctx, *configPath, *dataDir)
	if err != nil {
		return err
	}
	defer m.Close()
	org, err := m.DB.Actors.FindLocalActor(ctx, m.Config.Org.Handle)
	if err != nil {
		return err
	}
	// The operator at the command line acts as the node itself.
	// Every line goes through termWriter: remote text must not reach the
	// terminal raw even where a call site forgets termText.
	a := &adminRun{ctx: shrooms.NewSystemContext(ctx), m: m, org: org, out: termWriter{stdout}, pos: pos, user: *user, label: *label, state: *state,
		expires: *expires, note: *note, modules: *modules, olderThan: *olderThan}
	// An empty --modules shares nothing; a missing one is a mistake.
	fs.Visit(func(f *flag.Flag) { a.modulesSet = a.modulesSet || f.Name == "modules" })
	return cmd(a)
}

type adminRun struct {
	ctx         context.Context
	m           *node.Main
	org         *shrooms.Actor
	out         io.Writer
	pos         []string
	user, label string
	state       string
	// expires and note are invite create's flags; modules (and whether it
	// was given at all) is partner share's.
	expires, note string
	modules       string
	modulesSet    bool
	shareModules  []string // modules, parsed
	olderThan     string   // queue prune's retention
}

var adminCommands = map[string]func(*adminRun) error{
	"token":           (*adminRun).token,
	"follow":          (*adminRun).follow,
	"unfollow":        (*adminRun).unfollow,
	"followers":       (*adminRun).followers,
	"following":       (*adminRun).following,
	"follow-requests": (*adminRun).followRequests,
	"deliveries":      (*adminRun).deliveries,
	"queue":           (*adminRun).queue,
	"mail":            (*adminRun).mail,
	"invite":          (*adminRun).invite,
	"partner":         (*adminRun).partner,
}

func (a *adminRun) token() error {
	if len(a.pos) != 1 || a.pos[0] != "create" {
		return usageError("admin token: use 'admin token create --user NAME'")
	}
	if a.user == "" {
		return usageError("admin token create: --user is required")
	}
	u, err := a.m.DB.Users.FindUserByUsername(a.ctx, a.user)
	if err != nil {
		return fmt.Errorf("--user: %s", shrooms.ErrorMessage(err))
	}
	secret, _, err := a.m.DB.Users.CreateAPIToken(a.ctx, u.ID, a.label)
	if err != nil {
		return err
	}
	fmt.Fprintln(a.out, secret)
	return nil
}

func (a *adminRun) follow() error {
	target, err := a.resolve("follow")
	if err != nil {
		return err
	}
	f, err := a.m.DB.Follows.CreateFollow(a.ctx, a.org.ID, target.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.out, "follow %d: %s → %s is %s; the node delivers it\n", f.ID, a.org.Acct(), termText(target.Acct()), f.State)
	return nil
}

func (a *adminRun) unfollow() error {
	target, err := a.resolve("unfollow")
	if err != nil {
		return err
	}
	if err := a.m.DB.Follows.Unfollow(a.ctx, a.org.ID, target.ID); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "unfollowed %s\n", termText(target.Acct()))
	return nil
}

func (a *adminRun) resolve(cmd string) (*shrooms.Actor, error) {
	if len(a.pos) != 1 {
		return nil, usageError("admin %s: give one address, handle@host or an actor URL", cmd)
	}
	return a.m.Fed.ResolveHandle(a.ctx, a.pos[0])
}

func (a *adminRun) followers() error {
	return a.listFollows(shrooms.FollowFilter{FolloweeID: a.org.ID}, true)
}

func (a *adminRun) following() error {
	return a.listFollows(shrooms.FollowFilter{FollowerID: a.org.ID}, false)
}

func (a *adminRun) followRequests() error {
	if len(a.pos) == 0 || (len(a.pos) == 1 && a.pos[0] == "list") {
		return a.listFollows(shrooms.FollowFilter{FolloweeID: a.org.ID, State: shrooms.FollowPending}, true)
	}
	if len(a.pos) != 2 || (a.pos[0] != "approve" && a.pos[0] != "reject") {
		return usageError("admin follow-requests: use list, approve ID or reject ID")
	}
	id, err := strconv.ParseInt(a.pos[1], 10, 64)
	if err != nil {
		return usageError("admin follow-requests %s: ID must be a number", a.pos[0])
	}
	var f *shrooms.Follow
	if a.pos[0] == "approve" {
		f, err = a.m.DB.Follows.ApproveFollowRequest(a.ctx, id)
	} else {
		f, err = a.m.DB.Follows.RejectFollowRequest(a.ctx, id)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.out, "follow request %d from %s is %s\n", f.ID, termText(f.Follower.Acct()), f.State)
	if f.State == shrooms.FollowAccepted && f.Follower.Kind == shrooms.KindOrganization && f.Followee != nil && f.Followee.ID == a.org.ID {
		fmt.Fprintln(a.out, "Our organisation follows it back: the two are partners once it accepts (see 'shroomsd admin partner list').")
	}
	return nil
}

func (a *adminRun) listFollows(filter shrooms.FollowFilter, showFollower bool) error {
	filter.Limit = 500
	follows, total, err := a.m.DB.Follows.FindFollows(a.ctx, filter)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tACCOUNT\tSTATE\tSINCE\tACTOR")
	for _, f := range follows {
		other := f.Followee
		if showFollower {
			other = f.Follower
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", f.ID, termText(other.Acct()), f.State, formatTime(f.CreatedAt), termText(other.IRI))
	}
	if total > len(follows) {
		fmt.Fprintf(tw, "… %d more\n", total-len(follows))
	}
	return tw.Flush()
}

func (a *adminRun) deliveries() error {
	if len(a.pos) == 2 && a.pos[0] == "retry" {
		id, err := strconv.ParseInt(a.pos[1], 10, 64)
		if err != nil {
			return usageError("admin deliveries retry: ID must be a number")
		}
		if err := a.m.DB.Outbox.RetryDelivery(a.ctx, id, a.m.Now()); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "delivery %d queued again\n", id)
		return nil
	} else if len(a.pos) != 0 {
		return usageError("admin deliveries: use [--state dead] or retry ID")
	}
	st := shrooms.DeliveryState(a.state)
	switch st {
	case "", shrooms.DeliveryPending, shrooms.DeliveryDelivered, shrooms.DeliveryDead:
	default:
		return usageError("admin deliveries: --state must be pending, delivered or dead")
	}
	ds, total, err := a.m.DB.Outbox.FindDeliveries(a.ctx, shrooms.DeliveryFilter{State: st, Limit: 200})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tATTEMPTS\tNEXT\tINBOX\tLAST ERROR")
	for _, d := range ds {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\n", d.ID, d.State, d.Attempts, formatTime(d.NextAttemptAt), termText(d.Inbox), termText(d.LastError))
	}
	if total > len(ds) {
		fmt.Fprintf(tw, "… %d more\n", total-len(ds))
	}
	return tw.Flush()
}

func (a *adminRun) queue() error {
	switch {
	case len(a.pos) == 1 && a.pos[0] == "prune":
		return a.queuePrune()
	case len(a.pos) != 0:
		return usageError("admin queue: use 'admin queue' or 'admin queue prune [--older-than 30d]'")
	}
	s, err := a.m.DB.Outbox.QueueStats(a.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.out, "outbox unpublished: %d\ndeliveries pending: %d\ndeliveries dead:    %d\ninbox pending:      %d\ninbox failed:       %d\n",
		s.OutboxUnpublished, s.DeliveriesPending, s.DeliveriesDead, s.InboxPending, s.InboxFailed)
	return nil
}

// queuePrune deletes the queue rows finished with longer ago than
// --older-than, as the worker does every hour with the configured
// retention, and prints how many went from each table.
func (a *adminRun) queuePrune() error {
	retention := a.m.Config.Federation.QueueRetention
	if retention <= 0 {
		retention = federation.DefaultQueueRetention
	}
	if a.olderThan != "" {
		var err error
		if retention, err = parseRetention(a.olderThan); err != nil {
			return usageError("--older-than: %s", err)
		}
	}
	before := a.m.Now().Add(-retention)
	res, err := a.m.DB.Outbox.PruneQueues(a.ctx, before)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.out, "pruned what finished before %s:\ninbox activities: %d\ndeliveries:       %d\noutbox entries:   %d\npartner invites:  %d\nmail:             %d\n",
		formatTime(before), res.Inbox, res.Deliveries, res.Outbox, res.Invites, res.Mail)
	return nil
}

// parseRetention reads --older-than: a number of days (30d) or a Go
// duration (720h), at least federation.MinQueueRetention.
func parseRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if n, err = strconv.Atoi(days); err == nil {
			d = time.Duration(n) * 24 * time.Hour
		}
	} else {
		d, err = time.ParseDuration(s)
	}
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not a duration such as 30d or 720h", s)
	case d < federation.MinQueueRetention:
		return 0, fmt.Errorf("%q is too short (at least 1d)", s)
	}
	return d, nil
}
