package federation

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"

	shrooms "github.com/shrooms-org/shrooms"
	"github.com/shrooms-org/shrooms/vocab"
)

// applyLoan hands the loan messages to the loan service: an Offer from a
// partner's member (we lend), the lender's Accept, Reject or Update of a
// request of ours (we borrow), a member's Undo of their Offer. ok is false
// for every other activity.
func (f *Federation) applyLoan(ctx context.Context, act *shrooms.Activity) (note string, ok bool, err error) {
	if f.svc.Loans == nil {
		return "", false, nil
	}
	switch {
	case act.Type == shrooms.ActivityOffer && act.Loan != nil:
		note, err = f.svc.Loans.ReceiveLoanOffer(ctx, act)
	case (act.Type == shrooms.ActivityAccept || act.Type == shrooms.ActivityReject || act.Type == shrooms.ActivityUpdate) && act.Loan != nil:
		note, err = f.svc.Loans.ReceiveLoanAnswer(ctx, act)
	case act.Type == shrooms.ActivityUndo && act.Embedded != nil && act.Embedded.Type == shrooms.ActivityOffer:
		if act.Embedded.Actor != act.Actor {
			return "", true, shrooms.Errorf(shrooms.EFORBIDDEN, "only the borrower withdraws their request").Keyed("loans.error.not_borrower")
		}
		note, err = f.svc.Loans.ReceiveLoanUndo(ctx, act)
	default:
		return "", false, nil
	}
	return note, true, err
}

// handleLoan serves a loan's document to those it concerns: the store
// decides with the principal of the verified signer (the borrower's actor
// or organisation); everyone else gets 404, so that a loan's existence
// does not leak.
func (f *Federation) handleLoan(w http.ResponseWriter, r *http.Request) {
	if f.svc.Loans == nil {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	ctx, _ := f.readerContext(r)
	l, err := f.svc.Loans.FindLoanByIRI(ctx, f.cfg.IRIs.Base+"/loans/"+mux.Vars(r)["token"])
	if err != nil {
		f.write(w, "", nil, err)
		return
	}
	body, err := vocab.LoanJSON(l)
	f.write(w, vocab.ContentType, body, err)
}
