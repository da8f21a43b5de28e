package main

import (
	"fmt"
	"strconv"
	"text/tabwriter"

	shrooms "github.com/shrooms-org/shrooms"
)

// mail lists the mail outbox (newest first, --state filters), or retries
// or discards one mail, as the admins' mail page does.
func (a *adminRun) mail() error {
	if len(a.pos) == 2 && (a.pos[0] == "retry" || a.pos[0] == "discard") {
		id, err := strconv.ParseInt(a.pos[1], 10, 64)
		if err != nil {
			return usageError("admin mail %s: ID must be a number", a.pos[0])
		}
		if a.pos[0] == "retry" {
			if err := a.m.DB.Mail.RetryMail(a.ctx, id, a.m.Now()); err != nil {
				return err
			}
			fmt.Fprintf(a.out, "mail %d queued again; the running node sends it\n", id)
			return nil
		}
		if err := a.m.DB.Mail.DiscardMail(a.ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(a.out, "mail %d discarded\n", id)
		return nil
	} else if len(a.pos) != 0 {
		return usageError("admin mail: use [--state dead], retry ID or discard ID")
	}
	st, err := shrooms.ParseMailState(a.state)
	if err != nil {
		return usageError("admin mail: --state must be pending, sending, sent or dead")
	}
	ms, total, err := a.m.DB.Mail.FindMail(a.ctx, shrooms.MailFilter{State: st, Limit: 200})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tKIND\tATTEMPTS\tNEXT\tTO\tLAST ERROR")
	for _, m := range ms {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\n", m.ID, m.State, m.Kind, m.Attempts, formatTime(m.NextAttemptAt), termText(m.Message.To), termText(m.LastError))
	}
	if total > len(ms) {
		fmt.Fprintf(tw, "… %d more\n", total-len(ms))
	}
	return tw.Flush()
}
