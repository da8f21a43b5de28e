package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	shrooms "github.com/shrooms-org/shrooms"
)

// Partnership commands: invites, linking, the sharing policy, unlinking,
// blocking and resyncs. Like the follow commands they write through the
// store while the node may run; the node's workers deliver what they queue.

func (a *adminRun) invite() error {
	switch {
	case len(a.pos) == 1 && a.pos[0] == "create":
		return a.inviteCreate()
	case len(a.pos) == 0 || (len(a.pos) == 1 && a.pos[0] == "list"):
		return a.inviteList()
	case len(a.pos) == 2 && a.pos[0] == "revoke":
		id, err := strconv.ParseInt(a.pos[1], 10, 64)
		if err != nil || id <= 0 {
			return usageError("admin invite revoke: ID must be a number (see 'admin invite list')")
		}
		if err := a.m.DB.Partners.RevokePartnerInvite(a.ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "invite %d revoked\n", id)
		return nil
	}
	return usageError("admin invite: use create [--expires 7d] [--note TEXT], list, or revoke ID")
}

func (a *adminRun) inviteCreate() error {
	ttl, err := parseExpires(a.expires)
	if err != nil {
		return usageError("--expires: %s", err)
	}
	inv, token, err := a.m.DB.Partners.CreatePartnerInvite(a.ctx, ttl, a.note)
	if err != nil {
		if shrooms.ErrorField(err) == "note" {
			return fmt.Errorf("--note: %s", shrooms.ErrorMessage(err))
		}
		return err
	}
	fmt.Fprintln(a.out, shrooms.InviteURL(a.org.IRI, token))
	fmt.Fprintf(a.out, "invite %d, single use, expires %s\n", inv.ID, formatTime(inv.ExpiresAt))
	fmt.Fprintln(a.out, "Give this URL to the other organisation's admin: they paste it in their admin page or run 'shroomsd admin partner link URL'.")
	return nil
}

// parseExpires reads --expires: a Go duration (48h, 90m) or a number of
// days (7d). Empty means the default lifetime.
func parseExpires(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return shrooms.DefaultInviteTTL, nil
	}
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration such as 7d or 48h", s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, fmt.Errorf("%q is not a duration such as 7d or 48h", s)
		}
	}
	switch {
	case d < time.Minute:
		return 0, fmt.Errorf("%q is too short (at least 1m)", s)
	case d > shrooms.MaxInviteTTL:
		return 0, fmt.Errorf("%q is too long (at most %dd)", s, shrooms.MaxInviteTTL/(24*time.Hour))
	}
	return d, nil
}

func (a *adminRun) inviteList() error {
	invites, err := a.m.DB.Partners.FindPartnerInvites(a.ctx)
	if err != nil {
		return err
	}
	now := a.m.Now()
	tw := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tCREATED\tEXPIRES\tUSED BY\tNOTE")
	for _, inv := range invites {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", inv.ID, inv.State(now), formatTime(inv.CreatedAt), formatTime(inv.ExpiresAt), dash(termText(inv.UsedBy)), dash(termText(inv.Note)))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// partnerCommands are the subcommands of 'admin partner' that act on one
// partner named by address or ID.
var partnerCommands = map[string]func(*adminRun, *shrooms.Actor) error{
	"unlink":  (*adminRun).partnerUnlink,
	"block":   (*adminRun).partnerBlock,
	"unblock": (*adminRun).partnerUnblock,
	"resync":  (*adminRun).partnerResync,
	"share":   (*adminRun).partnerShare,
}

const partnerUsage = "admin partner: use link URL, list, unlink|block|unblock|resync ADDRESS-or-ID, or share ADDRESS-or-ID --modules inventory,stock"

func (a *adminRun) partner() error {
	if len(a.pos) == 0 || (len(a.pos) == 1 && a.pos[0] == "list") {
		return a.partnerList()
	}
	if len(a.pos) != 2 {
		return usageError(partnerUsage)
	}
	if a.pos[0] == "link" {
		return a.partnerLink(a.pos[1])
	}
	cmd, ok := partnerCommands[a.pos[0]]
	if !ok {
		return usageError(partnerUsage)
	}
	if a.pos[0] == "share" {
		if !a.modulesSet {
			return usageError("admin partner share: --modules is required (a list such as inventory,stock; empty shares nothing)")
		}
		mods, err := shrooms.ParsePartnerModules([]string{a.modules})
		if err != nil {
			return fmt.Errorf("--%s", shrooms.ErrorMessage(err))
		}
		a.shareModules = mods
	}
	actor, err := a.partnerActor(a.pos[1], a.pos[0] == "block")
	if err != nil {
		return err
	}
	return cmd(a, actor)
}

// partnerLink follows the organisation of an invite URL with its token;
// a plain address asks without an invite, to be approved by its admin.
func (a *adminRun) partnerLink(arg string) error {
	invite := strings.Contains(arg, "#")
	var p *shrooms.Partner
	var err error
	if invite {
		p, err = a.m.Fed.LinkPartnerByInvite(a.ctx, arg)
	} else {
		p, err = a.m.Fed.AskPartner(a.ctx, arg)
	}
	if err != nil {
		return linkError(err)
	}
	fmt.Fprintf(a.out, "partner %s (%s) is %s\n", termText(p.Actor.Acct()), termText(p.Actor.Name), p.State)
	if invite {
		fmt.Fprintln(a.out, "The node sends the Follow with the invite; the other node accepts it and follows back, and both end linked without anyone acting there.")
	} else {
		fmt.Fprintln(a.out, "Asked without an invite: the request waits until the other organisation's admin approves it.")
	}
	fmt.Fprintln(a.out, "Follow progress with 'shroomsd admin partner list'.")
	return nil
}

// linkError names the URL argument in what the link refused about the
// organisation it points at; a conflict with an existing partnership, an
// internal error, and a refusal that names the URL itself (Field "url")
// are shown as they are.
func linkError(err error) error {
	switch shrooms.ErrorCode(err) {
	case shrooms.ECONFLICT, shrooms.EINTERNAL:
		return err
	}
	if shrooms.ErrorField(err) == "url" {
		return errors.New(shrooms.ErrorMessage(err))
	}
	return fmt.Errorf("URL: %s", shrooms.ErrorMessage(err))
}

// partnerActor finds the actor an ADDRESS-or-ID argument names: the ID of
// 'admin partner list', an actor URL, or handle@host. Partners are looked
// up locally first; anyIfResolved lets block reach an actor that is not a
// partner yet.
func (a *adminRun) partnerActor(arg string, anyIfResolved bool) (*shrooms.Actor, error) {
	if id, err := strconv.ParseInt(arg, 10, 64); err == nil {
		p, err := a.m.DB.Partners.FindPartner(a.ctx, id)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", arg, shrooms.ErrorMessage(err))
		}
		return p.Actor, nil
	}
	partners, err := a.m.DB.Partners.FindPartners(a.ctx, shrooms.PartnerFilter{})
	if err != nil {
		return nil, err
	}
	acct := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(arg), "acct:"), "@")
	for _, p := range partners {
		if p.Actor != nil && (p.Actor.IRI == arg || strings.EqualFold(p.Actor.Acct(), acct)) {
			return p.Actor, nil
		}
	}
	if !anyIfResolved {
		return nil, fmt.Errorf("%s: no such partner (see 'shroomsd admin partner list')", arg)
	}
	actor, err := a.m.Fed.ResolveHandle(a.ctx, arg)
	if err != nil {
		return nil, fmt.Errorf("%s: %s", arg, shrooms.ErrorMessage(err))
	}
	return actor, nil
}

func (a *adminRun) partnerUnlink(actor *shrooms.Actor) error {
	if err := a.m.DB.Partners.UnlinkPartner(a.ctx, actor.ID); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "unlinked %s: both follows are undone and its objects left the cache\n", termText(actor.Acct()))
	return nil
}

func (a *adminRun) partnerBlock(actor *shrooms.Actor) error {
	if err := a.m.DB.Partners.BlockPartner(a.ctx, actor.ID); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "blocked %s: its traffic is refused and its objects left the cache\n", termText(actor.Acct()))
	return nil
}

func (a *adminRun) partnerUnblock(actor *shrooms.Actor) error {
	if err := a.m.DB.Partners.UnblockPartner(a.ctx, actor.ID); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "unblocked %s: nothing is linked again until one side links\n", termText(actor.Acct()))
	return nil
}

func (a *adminRun) partnerResync(actor *shrooms.Actor) error {
	if err := a.m.DB.Partners.RequestPartnerSync(a.ctx, actor.ID); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "resync of %s requested: the node fetches its shared objects again\n", termText(actor.Acct()))
	return nil
}

func (a *adminRun) partnerShare(actor *shrooms.Actor) error {
	p, err := a.m.DB.Partners.SetPartnerModules(a.ctx, actor.ID, a.shareModules)
	if err != nil {
		return err
	}
	if len(p.Modules) == 0 {
		fmt.Fprintf(a.out, "%s receives none of our partners-only objects (public ones still reach it)\n", termText(actor.Acct()))
		return nil
	}
	fmt.Fprintf(a.out, "%s receives our partners-only objects of: %s\n", termText(actor.Acct()), strings.Join(p.Modules, ", "))
	return nil
}

func (a *adminRun) partnerList() error {
	partners, err := a.m.DB.Partners.FindPartners(a.ctx, shrooms.PartnerFilter{})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tACCOUNT\tSTATE\tMODULES\tLAST-DELIVERY\tQUEUE\tSYNC")
	for _, p := range partners {
		mods := strings.Join(p.Modules, ",")
		if mods == "" {
			mods = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", p.Actor.ID, termText(p.Actor.Acct()), p.State, mods, formatTime(p.LastDeliveryAt), p.QueueDepth, syncSummary(p.Sync))
	}
	return tw.Flush()
}

// syncSummary shows a sync's state and progress in one word or two.
func syncSummary(s shrooms.PartnerSync) string {
	switch s.State {
	case "":
		return "-"
	case shrooms.SyncRunning:
		if s.Total > 0 {
			return fmt.Sprintf("running %d/%d", s.Fetched, s.Total)
		}
		return fmt.Sprintf("running %d", s.Fetched)
	case shrooms.SyncDone:
		return fmt.Sprintf("done %d (%s)", s.Fetched, formatTime(s.FinishedAt))
	case shrooms.SyncFailed:
		return fmt.Sprintf("failed, retry %s: %s", formatTime(s.NextAt), termText(s.LastError))
	}
	return string(s.State)
}
