package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// The borrower's side of lending across partners: a member asks for a
// partner's cached item; this node keeps a mirror of the request and
// sends the Offer; the lender's Accept, Reject and Updates move the
// mirror, newest version first. Nothing here decides a loan: the lender
// does.

// RequestRemoteLoan records the caller's request for a partner's item as
// a mirror and writes the Offer, signed by the caller's actor, to the
// outbox in the same transaction. Returns EINVALID naming the field,
// ENOTFOUND (not a cached item of a linked partner), EUNAUTHORIZED.
func (s *LoanService) RequestRemoteLoan(ctx context.Context, req shrooms.LoanRequest) (*shrooms.Loan, error) {
	req.Message = strings.TrimSpace(req.Message)
	tx, c, err := s.db.loanTx(ctx, true)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	b, err := c.borrower()
	if err != nil {
		return nil, err
	}
	var name, lenderIRI, lenderName string
	var lenderID int64
	err = tx.QueryRowContext(ctx, `SELECT r.name, a.id, a.iri, a.name FROM remote_objects r JOIN actors a ON a.id = r.actor_id
		WHERE r.iri = ? AND r.deleted = 0 AND r.type = 'Item'`, req.ItemIRI).Scan(&name, &lenderID, &lenderIRI, &lenderName)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, shrooms.Errorf(shrooms.ENOTFOUND, "no partner's item %q is known here", req.ItemIRI).
			Keyed("loans.error.remote_unknown").On("item")
	} else if err != nil {
		return nil, fmt.Errorf("remote loan: %w", err)
	}
	if linked, err := isLinkedPartner(ctx, tx, lenderID); err != nil {
		return nil, err
	} else if !linked {
		return nil, shrooms.Errorf(shrooms.ENOTFOUND, "no partner's item %q is known here", req.ItemIRI).
			Keyed("loans.error.remote_unknown").On("item")
	}
	// The lender applies its own rules; these are the ones every lender
	// shares, so that a request no lender would take never leaves.
	r := shrooms.DefaultLendingRules()
	r.MaxDays = shrooms.MaxLoanDays
	if err := r.CheckRequest(req, &shrooms.Item{Loanable: true, Loan: shrooms.LoanRules{Partners: true}},
		shrooms.BorrowerStanding{}, true, r.Today(s.db.now())); err != nil {
		return nil, err
	}
	actor, err := findActorByID(ctx, tx, c.p.User.ActorID)
	if err != nil {
		return nil, err
	}
	offer := s.db.iris.NewActivity()
	b.ActorIRI = actor.IRI
	l := &shrooms.Loan{IRI: offer, OfferIRI: offer, ItemIRI: req.ItemIRI, ItemName: name, LenderIRI: lenderIRI,
		LenderName: lenderName, Borrower: b, Mirror: true, State: shrooms.LoanPending, Start: req.Start, End: req.End,
		Due: req.End, Message: req.Message}
	if err := s.db.insertLoan(ctx, tx, l); err != nil {
		return nil, err
	}
	if err := s.db.loanEvent(ctx, tx, c.p, l, shrooms.LoanSubmit, "", shrooms.LoanPending, ""); err != nil {
		return nil, err
	}
	ask := *l
	ask.IRI, ask.ItemID, ask.Mirror = "", 0, false
	if _, err := s.db.insertOutbox(ctx, tx, actor.ID, &shrooms.Activity{IRI: offer, Type: shrooms.ActivityOffer,
		Actor: actor.IRI, To: []string{lenderIRI}, Loan: &ask, Published: s.db.now()}); err != nil {
		return nil, err
	}
	if err := commit(tx); err != nil {
		return nil, err
	}
	return l, nil
}

// cancelMirror sends the lender the Undo of the member's Offer; the
// mirror changes when the lender's Update says so.
func (db *DB) cancelMirror(ctx context.Context, tx *sql.Tx, p shrooms.Principal, l *shrooms.Loan) error {
	if !p.Borrows(l) {
		return shrooms.Errorf(shrooms.ECONFLICT, "this loan is kept by the lending organisation").Keyed("loans.error.mirror")
	}
	actor, err := findActorByID(ctx, tx, p.User.ActorID)
	if err != nil {
		return err
	}
	offer := &shrooms.Activity{IRI: l.OfferIRI, Type: shrooms.ActivityOffer, Actor: actor.IRI}
	if _, err := db.insertOutbox(ctx, tx, actor.ID, &shrooms.Activity{IRI: db.iris.NewActivity(), Type: shrooms.ActivityUndo,
		Actor: actor.IRI, Embedded: offer, To: []string{l.LenderIRI}, Published: db.now()}); err != nil {
		return err
	}
	return db.loanEvent(ctx, tx, p, l, shrooms.LoanCancel, l.State, l.State, "")
}

// ReceiveLoanAnswer applies the lender's Accept, Reject or Update to the
// mirror of the request it answers, when it comes from the lender and is
// newer than the mirror. An older or repeated one changes nothing.
func (s *LoanService) ReceiveLoanAnswer(ctx context.Context, act *shrooms.Activity) (string, error) {
	in := act.Loan
	if in == nil {
		return "ignored: no loan", nil
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	offer := in.OfferIRI
	if offer == "" && act.Type != shrooms.ActivityUpdate {
		offer = act.Object
	}
	var ls []*shrooms.Loan
	if offer != "" {
		ls, err = queryLoans(ctx, tx, `WHERE mirror = 1 AND offer_iri = ?`, offer)
	} else {
		ls, err = queryLoans(ctx, tx, `WHERE mirror = 1 AND iri = ?`, in.IRI)
	}
	if err != nil {
		return "", err
	}
	if len(ls) == 0 {
		return "ignored: no request of ours", nil
	}
	l := ls[0]
	if act.Actor != l.LenderIRI {
		return "", shrooms.Errorf(shrooms.EFORBIDDEN, "only the lender answers for its loan").Keyed("loans.error.not_lender")
	}
	if in.IRI != "" && shrooms.HostOf(in.IRI) != shrooms.HostOf(l.LenderIRI) {
		return "", shrooms.Errorf(shrooms.EFORBIDDEN, "a loan lives on its lender's host").Keyed("loans.error.not_lender")
	}
	if in.Version <= l.Version {
		return "stale", nil
	}
	if _, err := shrooms.ParseLoanState(string(in.State)); err != nil {
		return "", err
	}
	from := l.State
	if in.IRI != "" {
		l.IRI = in.IRI
	}
	l.State, l.Start, l.End, l.Due, l.Renewals, l.Reason = in.State, in.Start, in.End, in.Due, in.Renewals, in.Reason
	l.DepositCents, l.DepositBack, l.CheckedOutAt, l.ReturnedAt = in.DepositCents, in.DepositBack, in.CheckedOutAt, in.ReturnedAt
	l.Version, l.UpdatedAt = in.Version, s.db.now()
	if _, err := tx.ExecContext(ctx, `UPDATE loans SET iri = ?, state = ?, start_day = ?, end_day = ?, due_day = ?,
		renewals = ?, reason = ?, deposit_cents = ?, deposit_back = ?, checked_out_at = ?, returned_at = ?, version = ?,
		updated_at = ? WHERE id = ?`, l.IRI, l.State, l.Start.String(), l.End.String(), l.Due.String(), l.Renewals,
		l.Reason, l.DepositCents, l.DepositBack, nullMS(l.CheckedOutAt), nullMS(l.ReturnedAt), l.Version,
		l.UpdatedAt.UnixMilli(), l.ID); err != nil {
		return "", dbError(err, nil)
	}
	lender := shrooms.Principal{Remote: act.Actor}
	action := answerAction(act.Type, from, l.State)
	if err := s.db.loanEvent(ctx, tx, lender, l, action, from, l.State, l.Reason); err != nil {
		return "", err
	}
	// The member hears from their own node, as of a loan here.
	if kind, ok := loanNotices[action]; ok && (from != l.State || action == shrooms.LoanRenew) {
		if err := notifyLoan(ctx, tx, s.db.now(), l, kind, map[string]string{"Reason": l.Reason}); err != nil {
			return "", err
		}
	}
	return "", commit(tx)
}

// answerAction names, for the mirror's history, what a lender's message
// did: the action that leads from one state to the other.
func answerAction(t shrooms.ActivityType, from, to shrooms.LoanState) shrooms.LoanAction {
	switch {
	case t == shrooms.ActivityReject || to == shrooms.LoanRejected:
		return shrooms.LoanReject
	case to == shrooms.LoanApproved:
		return shrooms.LoanApprove
	case to == shrooms.LoanCancelled:
		return shrooms.LoanCancel
	case to == shrooms.LoanExpired:
		return shrooms.LoanExpire
	case to == shrooms.LoanReturned:
		return shrooms.LoanCheckIn
	case to == shrooms.LoanLost:
		return shrooms.LoanWriteOff
	case to == shrooms.LoanCheckedOut && from == shrooms.LoanCheckedOut:
		return shrooms.LoanRenew
	case to == shrooms.LoanCheckedOut:
		return shrooms.LoanCheckOut
	}
	return shrooms.LoanSubmit
}
