package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	shrooms "github.com/shrooms-org/shrooms"
)

// The lender's side of lending across partners: this node is the
// authority on its items' loans. An Offer from a partner's member is
// decided here (the same rules and the same double-booking check as a
// member's request), answered with Accept or Reject, and every later
// change of the loan is sent to the borrower and their organisation as
// an Update.

// ReceiveLoanOffer decides an Offer from a partner's member (see
// shrooms.LoanService). Refusals are answered with a Reject and return
// a note; only failures of the node itself return an error, to be
// retried.
func (s *LoanService) ReceiveLoanOffer(ctx context.Context, offer *shrooms.Activity) (string, error) {
	if offer.Loan == nil {
		return "ignored: Offer of something that is not a loan", nil
	}
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	if dup, err := queryLoans(ctx, tx, `WHERE mirror = 0 AND offer_iri = ?`, offer.IRI); err != nil {
		return "", err
	} else if len(dup) > 0 {
		return "duplicate", nil
	}
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return "", err
	}
	refusal, err := s.db.admitOffer(ctx, tx, org, offer)
	if err != nil {
		return "", err
	}
	if refusal != nil {
		// Never silence: the member hears why, and their node with them.
		reply := &shrooms.Loan{OfferIRI: offer.IRI, ItemIRI: offer.Loan.ItemIRI, LenderIRI: org.IRI, LenderName: org.Name,
			State: shrooms.LoanRejected, Start: offer.Loan.Start, End: offer.Loan.End, Due: offer.Loan.End,
			Reason: shrooms.ErrorMessage(refusal), Version: 1, Borrower: shrooms.Borrower{ActorIRI: offer.Actor}}
		if err := s.db.sendLoanActivity(ctx, tx, org, reply, shrooms.ActivityReject); err != nil {
			return "", err
		}
		return "rejected: " + shrooms.ErrorMessage(refusal), commit(tx)
	}
	return "", commit(tx)
}

// admitOffer applies the lender's checks to an Offer and records the loan
// (approved when the rules auto-approve). A refusal by the rules is
// returned as refusal, with nothing recorded; err is the node's own
// failure.
func (db *DB) admitOffer(ctx context.Context, tx *sql.Tx, org *shrooms.Actor, offer *shrooms.Activity) (refusal, err error) {
	// Lending off here: nobody borrows, partners' members included.
	if on, err := moduleOn(ctx, tx, loansModule); err != nil {
		return nil, err
	} else if !on {
		return shrooms.Errorf(shrooms.EFORBIDDEN, "this organisation does not lend at the moment").Keyed("loans.error.lending_off"), nil
	}
	// The borrower's organisation is the linked partner on the signer's
	// host, and its sharing policy must include loans.
	var orgIRI, orgName string
	err = tx.QueryRowContext(ctx, `SELECT a.iri, a.name FROM partners p JOIN actors a ON a.id = p.actor_id
		WHERE p.actor_id IN (`+linkedPartnersSQL+` AND a.host = ?) AND `+sharesModuleSQL,
		org.ID, org.ID, shrooms.HostOf(offer.Actor), loansModule).Scan(&orgIRI, &orgName)
	if errors.Is(err, sql.ErrNoRows) {
		return shrooms.Errorf(shrooms.EFORBIDDEN, "this organisation does not lend to yours").Keyed("loans.error.no_partner_loans"), nil
	} else if err != nil {
		return nil, fmt.Errorf("offer: %w", err)
	}
	var suspended int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM loan_suspensions WHERE actor_iri = ?`, offer.Actor).Scan(&suspended); err != nil {
		return nil, fmt.Errorf("offer: %w", err)
	}
	b := shrooms.Borrower{ActorIRI: offer.Actor, OrgIRI: orgIRI, OrgName: orgName}
	var handle string
	if err := tx.QueryRowContext(ctx, `SELECT name, handle FROM actors WHERE iri = ?`, offer.Actor).Scan(&b.Name, &handle); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("offer: %w", err)
	}
	if b.Name == "" {
		b.Name = handle
	}
	item, refusal, err := db.offeredItem(ctx, tx, orgIRI, offer.Loan.ItemIRI)
	if err != nil || refusal != nil {
		return refusal, err
	}
	r, err := lendingRules(ctx, tx)
	if err != nil {
		return nil, err
	}
	today := r.Today(db.now())
	standing, err := borrowerStanding(ctx, tx, b, today)
	if err != nil {
		return nil, err
	}
	standing.Suspended = suspended > 0
	req := shrooms.LoanRequest{ItemID: item.ID, Start: offer.Loan.Start, End: offer.Loan.End, Message: strings.TrimSpace(offer.Loan.Message)}
	if err := r.CheckRequest(req, item, standing, true, today); err != nil {
		return err, nil
	}
	l := &shrooms.Loan{IRI: db.iris.NewLoan(), OfferIRI: offer.IRI, ItemID: item.ID, ItemIRI: item.IRI, ItemName: item.Name,
		LenderIRI: org.IRI, LenderName: org.Name, Borrower: b, State: shrooms.LoanPending, Start: req.Start,
		End: req.End, Due: req.End, Message: req.Message}
	if err := db.checkDaysFree(ctx, tx, l, r); err != nil {
		return err, nil
	}
	if err := db.insertLoan(ctx, tx, l); err != nil {
		return nil, err
	}
	if err := db.loanEvent(ctx, tx, shrooms.Principal{Remote: offer.Actor}, l, shrooms.LoanSubmit, "", shrooms.LoanPending, ""); err != nil {
		return nil, err
	}
	if r.AutoApprove {
		return nil, db.moveLoan(ctx, tx, shrooms.Principal{System: true}, l, shrooms.LoanApprove, "")
	}
	// The desk decides: it hears of the request as of a member's.
	return nil, notifyDesk(ctx, tx, db.now(), l, shrooms.NotifyLoanRequested)
}

// offeredItem returns the local item an Offer names, if the partner
// orgIRI may read it; a refusal otherwise, with the words of a missing
// item, so that existence does not leak.
func (db *DB) offeredItem(ctx context.Context, tx *sql.Tx, orgIRI, itemIRI string) (*shrooms.Item, error, error) {
	missing := shrooms.Errorf(shrooms.ENOTFOUND, "this organisation has no such item").Keyed("loans.error.remote_unknown").On("item")
	rest, ok := strings.CutPrefix(itemIRI, db.iris.Base+"/items/")
	id, err := strconv.ParseInt(rest, 10, 64)
	if !ok || err != nil || id <= 0 {
		return nil, missing, nil
	}
	item, err := db.loadItem(ctx, tx, id)
	if shrooms.ErrorCode(err) == shrooms.ENOTFOUND {
		return nil, missing, nil
	} else if err != nil {
		return nil, nil, err
	}
	pp, err := remotePrincipal(ctx, tx, orgIRI)
	if err != nil {
		return nil, nil, err
	}
	grants, err := findGrants(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	if (itemCaller{p: pp, grants: grants}).can(item, shrooms.AccessRead) != nil {
		return nil, missing, nil
	}
	return item, nil, nil
}

// federateLoan tells a partner's member and their organisation what
// became of their loan: the Accept or Reject of their Offer when the desk
// decides it, an Update of the loan for every other change.
func (db *DB) federateLoan(ctx context.Context, tx *sql.Tx, l *shrooms.Loan, a shrooms.LoanAction, from shrooms.LoanState) error {
	if l.Mirror || !l.Borrower.Remote() || l.Borrower.ActorIRI == "" {
		return nil
	}
	org, err := findOrgActor(ctx, tx)
	if err != nil {
		return err
	}
	t := shrooms.ActivityUpdate
	switch {
	case a == shrooms.LoanApprove && from == shrooms.LoanPending:
		t = shrooms.ActivityAccept
	case a == shrooms.LoanReject:
		t = shrooms.ActivityReject
	}
	return db.sendLoanActivity(ctx, tx, org, l, t)
}

// sendLoanActivity writes an Accept, Reject (of l's Offer, l as the
// result) or Update (of l) from the organisation to l's borrower and
// their organisation.
func (db *DB) sendLoanActivity(ctx context.Context, tx *sql.Tx, org *shrooms.Actor, l *shrooms.Loan, t shrooms.ActivityType) error {
	doc := *l
	doc.ItemID, doc.Mirror, doc.IsOverdue = 0, false, false
	act := &shrooms.Activity{IRI: db.iris.NewActivity(), Type: t, Actor: org.IRI, Loan: &doc,
		To: []string{l.Borrower.ActorIRI}, Published: db.now()}
	if l.Borrower.OrgIRI != "" {
		act.CC = []string{l.Borrower.OrgIRI}
	}
	if t == shrooms.ActivityUpdate {
		act.Object = l.IRI
	} else {
		act.Object, act.ObjectType = l.OfferIRI, string(shrooms.ActivityOffer)
	}
	_, err := db.insertOutbox(ctx, tx, org.ID, act)
	return err
}

// ReceiveLoanUndo cancels the request whose Offer its member withdraws,
// if it is not out yet; the Update that moveLoan sends says so.
func (s *LoanService) ReceiveLoanUndo(ctx context.Context, act *shrooms.Activity) (string, error) {
	tx, err := s.db.beginWrite(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	ls, err := queryLoans(ctx, tx, `WHERE mirror = 0 AND offer_iri = ?`, act.Object)
	if err != nil {
		return "", err
	}
	if len(ls) == 0 {
		return "ignored: Undo of an unknown Offer", nil
	}
	l := ls[0]
	if l.Borrower.ActorIRI != act.Actor {
		return "", shrooms.Errorf(shrooms.EFORBIDDEN, "only the borrower withdraws their request").Keyed("loans.error.not_borrower")
	}
	if _, err := shrooms.NextLoanState(l.State, shrooms.LoanCancel); err != nil {
		return "ignored: the loan is " + string(l.State), nil
	}
	if err := s.db.moveLoan(ctx, tx, shrooms.Principal{Remote: act.Actor}, l, shrooms.LoanCancel, ""); err != nil {
		return "", err
	}
	r, err := lendingRules(ctx, tx)
	if err != nil {
		return "", err
	}
	if _, err := offerNext(ctx, tx, s.db.now(), l.ItemID, r, r.Today(s.db.now())); err != nil {
		return "", err
	}
	return "", commit(tx)
}

// FindLoanByIRI returns a loan of this node to the desk, its borrower,
// and from the network to the borrower's actor or organisation.
func (s *LoanService) FindLoanByIRI(ctx context.Context, iri string) (*shrooms.Loan, error) {
	tx, err := s.db.beginRead(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ls, err := queryLoans(ctx, tx, `WHERE mirror = 0 AND iri = ?`, iri)
	if err != nil {
		return nil, err
	}
	missing := shrooms.Errorf(shrooms.ENOTFOUND, "loan not found").Keyed("loans.error.not_found")
	if len(ls) == 0 {
		return nil, missing
	}
	l := ls[0]
	if signer, remote := shrooms.RemoteSigner(ctx); remote {
		if signer == "" || signer != l.Borrower.ActorIRI && signer != l.Borrower.OrgIRI {
			return nil, missing
		}
		return l, nil
	}
	c, err := loanCallerOf(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := c.p.CanSeeLoan(c.grants, l); err != nil {
		return nil, err
	}
	return l, nil
}

// SuspendBorrower stops (or lets again) a partner's member borrow here.
// For the desk: EFORBIDDEN otherwise.
func (s *LoanService) SuspendBorrower(ctx context.Context, actorIRI string, suspended bool) error {
	if shrooms.HostOf(actorIRI) == "" || s.db.iris.Local(actorIRI) {
		return shrooms.Errorf(shrooms.EINVALID, "actor: give the actor IRI of a partner's member").
			Keyed("loans.error.suspend_actor").On("actor")
	}
	tx, c, err := s.db.loanTx(ctx, true)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if !c.desk() {
		return shrooms.Errorf(shrooms.EFORBIDDEN, "only the lending desk may suspend a borrower").
			Keyed("loans.error.desk_only", "Action", "suspend")
	}
	q := `INSERT INTO loan_suspensions (actor_iri, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING`
	args := []any{actorIRI, s.db.now().UnixMilli()}
	if !suspended {
		q, args = `DELETE FROM loan_suspensions WHERE actor_iri = ?`, []any{actorIRI}
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return dbError(err, nil)
	}
	return commit(tx)
}
